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
    free(p);
    return CHECK_DONE();
}
