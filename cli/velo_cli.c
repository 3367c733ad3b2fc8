/* velo-cli: the operator's command line (validate, health, status, jobs, submit, stop, kafka). */
#include <stdio.h>
int main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    fputs("velo-cli: not built yet\n", stderr);
    return 2;
}
