/* ckpt.h - internal versioned checkpoint container: a file of named, typed sections that the
 * trainer fills with whatever state a bitwise resume needs (parameters, optimizer moments, RNG and
 * sampler state, weighting state, history).  It knows nothing about training; it guarantees that a
 * file which is truncated, bit-flipped, from another format version, from another problem or with
 * sections of unexpected type or size is refused with a message naming the file and the reason,
 * before any of its content is used.
 *
 * Layout (all header integers little-endian; section data in the writer's byte order, recorded in
 * the flags and refused on a machine of the other order):
 *   header, 48 bytes:
 *     0  "PINNCKPT"            8  u32 version (PINN_CKPT_VERSION)   12 u32 flags (bit 0: big-endian)
 *     16 u32 section count     20 u32 zero                          24 u64 fingerprint
 *     32 u64 payload bytes     40 u32 CRC-32 of the payload         44 u32 CRC-32 of bytes 0..43
 *   payload: per section a 48-byte record - name (32 bytes, NUL-padded), u32 type, u32 zero,
 *     u64 count - then count * element-size bytes of data, zero-padded to a multiple of 8.
 * CRC-32 is zlib's when built with zlib (PINN_HAVE_ZLIB), else the same polynomial from a table.
 *
 * Writes go through io/files.h (temporary file, fsync, rename) and then fsync the directory, so a
 * crash leaves either the old or the new file, never a mixture. */
#ifndef PINN_IO_CKPT_H
#define PINN_IO_CKPT_H

#include <stddef.h>
#include <stdint.h>

#include "pinnc/core.h"

#define PINN_CKPT_VERSION 1
#define PINN_CKPT_NAME_MAX 32           /* section names: 1..31 characters */
#define PINN_CKPT_MAX_SECTIONS 256
#define PINN_CKPT_MAX_BYTES (1ULL << 34) /* files above 16 GiB are refused unread */
#define PINN_CKPT_HEADER_BYTES 48
#define PINN_CKPT_RECORD_BYTES 48

typedef enum pinn_ckpt_type {
    PINN_CKPT_U8 = 0, /* raw bytes (e.g. a packed RNG state) */
    PINN_CKPT_I32,
    PINN_CKPT_I64,
    PINN_CKPT_U64,
    PINN_CKPT_F32,
    PINN_CKPT_F64,
    PINN_CKPT_TYPE_COUNT
} pinn_ckpt_type;
const char *pinn_ckpt_type_to_string(pinn_ckpt_type t);
/* Bytes of one element of type t (0 for an invalid type). */
size_t pinn_ckpt_type_size(pinn_ckpt_type t);

/* One section: name, type, element count and where its data is (borrowed by the writer, pointing
 * into the reader's buffer after pinn_ckpt_open). */
typedef struct pinn_ckpt_section {
    char name[PINN_CKPT_NAME_MAX];
    pinn_ckpt_type type;
    uint64_t count;
    const void *data;
} pinn_ckpt_section;

/* A checkpoint being assembled: sections are recorded by reference and copied only by
 * pinn_ckpt_write, so the data must stay valid until then. */
typedef struct pinn_ckpt_writer {
    uint64_t fingerprint;
    int n;
    pinn_ckpt_section sec[PINN_CKPT_MAX_SECTIONS];
} pinn_ckpt_writer;

/* An opened, verified checkpoint: owns buf (the whole file); sections point into it. */
typedef struct pinn_ckpt {
    unsigned char *buf;
    size_t len;
    uint32_t version;
    uint64_t fingerprint;
    int n;
    pinn_ckpt_section sec[PINN_CKPT_MAX_SECTIONS];
    char path[512]; /* for messages (shortened from the front when long) */
} pinn_ckpt;

/* CRC-32 (the zlib / PNG polynomial) of n bytes continuing crc (start with 0). */
uint32_t pinn_ckpt_crc32(uint32_t crc, const void *data, size_t n);
/* 64-bit FNV-1a of n bytes continuing h (start with PINN_CKPT_HASH_INIT), for fingerprints: the
 * caller hashes the resolved problem (e.g. its config.yaml text) and the network layout. */
#define PINN_CKPT_HASH_INIT 0xcbf29ce484222325ULL
uint64_t pinn_ckpt_hash(uint64_t h, const void *data, size_t n);

/* Empties w and sets the fingerprint stored in the header. */
void pinn_ckpt_writer_init(pinn_ckpt_writer *w, uint64_t fingerprint);
/* Adds section name (1..31 characters, not used before in w) of count elements of type at data
 * (borrowed until pinn_ckpt_write; may be NULL when count is 0).  PINN_ERR_INVALID on a bad name,
 * type, duplicate or more than PINN_CKPT_MAX_SECTIONS sections. */
pinn_status pinn_ckpt_add(pinn_ckpt_writer *w, const char *name, pinn_ckpt_type type, size_t count, const void *data,
                          pinn_error *err);
/* Writes the sections to path atomically (one allocation for the image; temporary file, fsync,
 * rename, fsync of the directory).  With keep_prev, a current file at path that verifies (any
 * fingerprint) is first kept as "<path>.prev" (pinn_ckpt_keep_prev). */
pinn_status pinn_ckpt_write(const pinn_ckpt_writer *w, const char *path, int keep_prev, pinn_error *err);

/* If path holds a checkpoint that verifies (header, sizes, CRC; any fingerprint), makes it
 * "<path>.prev" atomically (a hard link, else a copy, renamed over the old .prev); a missing or
 * damaged file leaves an existing .prev untouched.  Returns PINN_OK in those cases too; errors
 * only when the kept copy cannot be written. */
pinn_status pinn_ckpt_keep_prev(const char *path, pinn_error *err);

/* Reads path and verifies everything before returning: magic, version, byte order, header CRC,
 * that the payload length equals the file's, the payload CRC, every section record (name,
 * type, count against the bytes left, padding, no duplicates) and, unless force, that the stored
 * fingerprint equals `fingerprint`.  On failure c is empty and err says "PATH: reason". */
pinn_status pinn_ckpt_open(pinn_ckpt *c, const char *path, uint64_t fingerprint, int force, pinn_error *err);
/* Releases what c owns (safe on a zeroed or failed c). */
void pinn_ckpt_close(pinn_ckpt *c);

/* The section called name, or NULL. */
const pinn_ckpt_section *pinn_ckpt_find(const pinn_ckpt *c, const char *name);
/* Copies section name into out, which holds exactly `count` elements of `type`; refuses (with the
 * section, the expected and the stored type and count in the message) a missing section or any
 * mismatch. */
pinn_status pinn_ckpt_get(const pinn_ckpt *c, const char *name, pinn_ckpt_type type, size_t count, void *out,
                          pinn_error *err);
/* Like pinn_ckpt_get for a section of variable length: at most max_count elements; *count gets
 * the stored count. */
pinn_status pinn_ckpt_get_var(const pinn_ckpt *c, const char *name, pinn_ckpt_type type, size_t max_count, void *out,
                              size_t *count, pinn_error *err);

#endif
