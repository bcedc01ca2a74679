/* test_csv.c - the numeric CSV reader and atomic writer: round trip, comments/CRLF/blank lines,
 * and errors that name the file and line (ragged row, bad number, missing file, no header). */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "io/files.h"
#include "problem/csv.h"

/* Writes text to path; returns 0 on success. */
static int write_text(const char *path, const char *text) {
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    fputs(text, f);
    return fclose(f);
}

int main(void) {
    pinn_error err;
    pinn_csv_table t;
    pinn_csv_init(&t);

    /* round trip through the atomic writer: 17 significant digits restore every double */
    const char *names[3] = {"t", "x", "u"};
    double data[4 * 3] = {0, -1, 1.2246467991473532e-16, 0.5, 0.25, -0.1, 1e-300, 3.141592653589793, -2.5e10,
                          1, 1, 1.0 / 3.0};
    const char *good = "test_csv_good.csv";
    CHECK_OK(pinn_csv_write_atomic(good, names, 4, 3, data, &err), err);
    CHECK_OK(pinn_csv_read(good, &t, &err), err);
    CHECK(t.nrows == 4 && t.ncols == 3, "shape %zu x %zu", t.nrows, t.ncols);
    if (t.nrows == 4 && t.ncols == 3) {
        CHECK(strcmp(t.names[0], "t") == 0 && strcmp(t.names[2], "u") == 0, "names %s %s", t.names[0], t.names[2]);
        int same = 1;
        for (int i = 0; i < 12; i++) same &= t.data[i] == data[i];
        CHECK(same, "values do not round-trip exactly");
        CHECK(pinn_csv_column(&t, "x") == 1 && pinn_csv_column(&t, "nope") == -1, "column lookup");
    }
    pinn_csv_free(&t);
    CHECK(t.data == NULL && t.names == NULL, "free resets the table");
    remove(good);

    /* comments, blank lines, CRLF, spaces and a quoted header */
    const char *loose = "test_csv_loose.csv";
    CHECK(write_text(loose, "# a comment\r\n\r\n \"a\" , b\r\n1, 2.5\r\n\r\n  -3e-2 ,4\r\n# end\n") == 0, "write");
    CHECK_OK(pinn_csv_read(loose, &t, &err), err);
    CHECK(t.nrows == 2 && t.ncols == 2, "loose shape %zu x %zu", t.nrows, t.ncols);
    if (t.nrows == 2 && t.ncols == 2) {
        CHECK(strcmp(t.names[0], "a") == 0 && strcmp(t.names[1], "b") == 0, "loose names '%s' '%s'", t.names[0],
              t.names[1]);
        CHECK(t.data[0] == 1 && t.data[1] == 2.5 && t.data[2] == -3e-2 && t.data[3] == 4, "loose values");
    }
    pinn_csv_free(&t);
    remove(loose);

    /* a ragged row: the message names file and line 3 */
    const char *ragged = "test_csv_ragged.csv";
    CHECK(write_text(ragged, "a,b,c\n1,2,3\n4,5\n6,7,8\n") == 0, "write");
    pinn_status st = pinn_csv_read(ragged, &t, &err);
    CHECK(st == PINN_ERR_PARSE, "ragged -> %s", pinn_status_to_string(st));
    CHECK(strstr(err.msg, "test_csv_ragged.csv:3:") != NULL && strstr(err.msg, "expected 3 fields, found 2"),
          "ragged message: %s", err.msg);
    CHECK(t.data == NULL && t.nrows == 0, "table empty after an error");
    remove(ragged);

    /* a bad number on line 4 (after a blank line), column 2 */
    const char *bad = "test_csv_bad.csv";
    CHECK(write_text(bad, "a,b\n1,2\n\n3,4x\n") == 0, "write");
    st = pinn_csv_read(bad, &t, &err);
    CHECK(st == PINN_ERR_PARSE, "bad number -> %s", pinn_status_to_string(st));
    CHECK(strstr(err.msg, "test_csv_bad.csv:4:") != NULL && strstr(err.msg, "'4x'") && strstr(err.msg, "column 2"),
          "bad number message: %s", err.msg);
    remove(bad);

    /* an empty field is an error too */
    CHECK(write_text(bad, "a,b\n1,\n") == 0, "write");
    st = pinn_csv_read(bad, &t, &err);
    CHECK(st == PINN_ERR_PARSE && strstr(err.msg, ":2:"), "empty field: %s", err.msg);
    remove(bad);

    /* no header at all */
    CHECK(write_text(bad, "\n# nothing\n") == 0, "write");
    st = pinn_csv_read(bad, &t, &err);
    CHECK(st == PINN_ERR_PARSE && strstr(err.msg, "no header"), "no header: %s", err.msg);
    remove(bad);

    /* an empty table (header only), NaN, inf and hexadecimal values are refused with file:line */
    const char *texts[] = {"x,u\n\n# only a header\n", "x,u\n0.5,1\n0.25,nan\n", "x,u\n0.5,-inf\n", "x,u\n0x10,1\n",
                           "x,u\n1e999,1\n"};
    const char *wants[] = {":3: no data rows", ":3: column 2 (u): 'nan' is not a finite", ":2: column 2 (u): '-inf'",
                           ":2: column 1 (x): '0x10' is not a finite decimal", ":2: column 1 (x): '1e999'"};
    for (int k = 0; k < 5; k++) {
        CHECK(write_text(bad, texts[k]) == 0, "write");
        st = pinn_csv_read(bad, &t, &err);
        CHECK(st == PINN_ERR_PARSE && strstr(err.msg, bad) && strstr(err.msg, wants[k]), "case %d: %s", k, err.msg);
        CHECK(t.data == NULL && t.nrows == 0, "case %d: table empty after the error", k);
    }
    remove(bad);

    /* a missing file */
    st = pinn_csv_read("test_csv_does_not_exist.csv", &t, &err);
    CHECK(st == PINN_ERR_IO && strstr(err.msg, "test_csv_does_not_exist.csv"), "missing: %s", err.msg);

    /* writing into a directory that does not exist fails cleanly */
    st = pinn_csv_write_atomic("no_such_dir_pinn/x.csv", names, 4, 3, data, &err);
    CHECK(st == PINN_ERR_IO && strstr(err.msg, "no_such_dir_pinn/x.csv"), "write failure: %s", err.msg);
    return CHECK_DONE();
}
