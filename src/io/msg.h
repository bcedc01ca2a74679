/* msg.h - internal helper for located error messages: a path shortened from the front so that the
 * reason that follows it in a message always fits (pinn_error holds 512 bytes). */
#ifndef PINN_IO_MSG_H
#define PINN_IO_MSG_H

#include <stddef.h>

/* The longest path text a message shows; longer paths keep their last part, after "...". */
#define PINN_MSG_PATH_MAX 160

/* path itself when short, else "..." followed by its last PINN_MSG_PATH_MAX - 3 bytes written into
 * buf (size >= PINN_MSG_PATH_MAX + 1); returns the text to print. */
const char *pinn_msg_path(const char *path, char *buf, size_t size);

#endif
