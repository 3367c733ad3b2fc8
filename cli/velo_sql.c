/* velo-sql: the engine's command line (run, explain, test, serve, dev-kafka). Argument parsing only. */
#include <stdio.h>
int main(int argc, char **argv) {
    (void)argc;
    (void)argv;
    fputs("velo-sql: not built yet\n", stderr);
    return 2;
}
