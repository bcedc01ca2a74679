/* test_bad_inputs.c - every malformed problem file under tests/bad/ must fail to load with a
 * one-line message that names the file and the right line ("# expect-line: N") and contains the
 * expected text ("# expect: ..."), never a crash (the suite also runs under ASan/UBSan). */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "pinnc.h"

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(void) {
    const char *src = getenv("PINN_SOURCE");
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/tests/bad", src ? src : "..");
    DIR *dp = opendir(dir);
    CHECK(dp != NULL, "cannot open %s", dir);
    if (!dp) return CHECK_DONE();
    char *names[256];
    int n = 0;
    struct dirent *de;
    while ((de = readdir(dp)) && n < 256)
        if (strstr(de->d_name, ".yaml")) names[n++] = strdup(de->d_name);
    closedir(dp);
    qsort(names, (size_t)n, sizeof *names, cmp);
    CHECK(n >= 30, "only %d bad inputs", n);
    pinn_problem *p = malloc(sizeof *p);
    for (int i = 0; i < n; i++) {
        char path[2048], line[512], expect[512] = "";
        int want_line = -1;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        FILE *f = fopen(path, "r");
        while (f && fgets(line, sizeof line, f)) {
            if (!strncmp(line, "# expect-line: ", 15)) want_line = atoi(line + 15);
            if (!strncmp(line, "# expect: ", 10)) {
                snprintf(expect, sizeof expect, "%s", line + 10);
                expect[strcspn(expect, "\n")] = '\0';
            }
        }
        if (f) fclose(f);
        pinn_error err = {0};
        pinn_status st = pinn_problem_load(p, path, 0, NULL, &err);
        char where[2100];
        snprintf(where, sizeof where, "%s:%d:", path, want_line);
        CHECK(st != PINN_OK, "%s: loaded without error", names[i]);
        CHECK(strstr(err.msg, where) != NULL, "%s: expected location '%s' in: %s", names[i], where, err.msg);
        CHECK(expect[0] && strstr(err.msg, expect) != NULL, "%s: expected '%s' in: %s", names[i], expect, err.msg);
        CHECK(strchr(err.msg, '\n') == NULL, "%s: message spans lines", names[i]);
        if (getenv("PINN_TEST_VERBOSE")) printf("%s\n", err.msg);
        free(names[i]);
    }
    /* --set errors name the override */
    char good[1024];
    snprintf(good, sizeof good, "%s/examples/heat.yaml", src ? src : "..");
    const char *sets[][1] = {{"train.epochs=many"}, {"train.epochz=3"}, {"conditions.7.points=3"}, {"noequals"}};
    const char *want[] = {"--set train.epochs=many", "did you mean 'epochs'", "not an index", "expected key.path=value"};
    for (int k = 0; k < 4; k++) {
        pinn_error err = {0};
        pinn_status st = pinn_problem_load(p, good, 1, sets[k], &err);
        CHECK(st != PINN_OK && strstr(err.msg, want[k]), "--set %s: %s", sets[k][0], err.msg);
    }
    /* hostile --set values: recursive alias, alias bomb, deep nesting, a second document, a
     * non-scalar key, duplicate keys, an over-long key path; each refused with its override named */
    {
        char bomb[600];
        /* built explicitly: level k repeats level k-1 ten times */
        snprintf(bomb, sizeof bomb, "train.x={l0: &l0 [x, x, x, x, x, x, x, x, x, x]");
        for (int k = 1; k < 7; k++) {
            char part[96];
            snprintf(part, sizeof part, ", l%d: &l%d [*l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d]", k, k,
                     k - 1, k - 1, k - 1, k - 1, k - 1, k - 1, k - 1, k - 1, k - 1, k - 1);
            strncat(bomb, part, sizeof bomb - strlen(bomb) - 2);
        }
        strncat(bomb, "}", sizeof bomb - strlen(bomb) - 1);
        char deep[400] = "train.x=";
        for (int k = 0; k < 150; k++) strcat(deep, "[");
        char longkey[400] = "train.";
        for (int k = 0; k < 300; k++) strcat(longkey, "k");
        strcat(longkey, "=1");
        const char *hostile[] = {"train.x=&a [*a]", "train.epochs=&a {b: *a}", bomb, deep, "train.x=1\n---\n2",
                                 "reference={[1]: 2}", "train={epochs: 3, epochs: 4}", longkey, "train.epochs=0x10"};
        const char *hwant[] = {"recursive alias", "recursive alias", "more than 100000 YAML nodes", "nested deeper than 64",
                               "second YAML document", "a key that is a plain name", "duplicate key",
                               "key path is longer than", "expected an integer"};
        for (int k = 0; k < 9; k++) {
            pinn_error err = {0};
            const char *one[1] = {hostile[k]};
            pinn_status st = pinn_problem_load(p, good, 1, one, &err);
            CHECK(st != PINN_OK && strstr(err.msg, hwant[k]) && strstr(err.msg, "--set "), "--set #%d: %s", k, err.msg);
        }
        /* many overrides (no fixed-size table to overflow); the last one wins */
        enum { NSET = 300 };
        const char *many[NSET];
        char buf[NSET][32];
        for (int k = 0; k < NSET; k++) snprintf(buf[k], sizeof buf[k], "train.epochs=%d", k + 1), many[k] = buf[k];
        pinn_error err = {0};
        CHECK_OK(pinn_problem_load(p, good, NSET, many, &err), err);
        CHECK(p->train.epochs == NSET, "300 --set: epochs %d", p->train.epochs);
        /* a set that creates many new nodes keeps naming its override */
        const char *grow[1] = {"train.weighting={scheme: ma, beta: 2}"};
        CHECK(pinn_problem_load(p, good, 1, grow, &err) != PINN_OK && strstr(err.msg, "--set train.weighting="),
              "created node named: %s", err.msg);
    }
    /* a long path keeps the reason of the message: the path is shortened from the front */
    {
        char path[2048] = "";
        for (int k = 0; k < 300; k++) strcat(path, "./"); /* 600 bytes of path, each part short */
        strcat(path, "test_bad_inputs_long.yaml");
        FILE *f = fopen(path, "w");
        if (f) fputs("domain: {x: [0, 1]}\nfields: [u]\nequations: ['u_xx = nuu']\n", f), fclose(f);
        pinn_error err = {0};
        pinn_status st = pinn_problem_load(p, path, 0, NULL, &err);
        CHECK(st != PINN_OK && strstr(err.msg, "unknown name 'nuu'") && strstr(err.msg, "test_bad_inputs_long.yaml:3:") &&
                  strstr(err.msg, "..."),
              "long path: %s", err.msg);
        remove(path);
    }
    free(p);
    return CHECK_DONE();
}
