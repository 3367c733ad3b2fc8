/* `velo-sql dev-kafka` (dev_kafka.h): librdkafka's mock cluster plus a bootstrap forwarder.
 * The forwarder is one thread polling the listening socket and every relayed connection pair;
 * it is written by hand because librdkafka cannot bind its mock brokers to a chosen port, and the
 * relay only carries bootstrap traffic (clients reach the brokers directly after metadata). */
#include "connectors/kafka/dev_kafka.h"

#include <arpa/inet.h>
#include <errno.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <mimalloc.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define RELAY_BUF   65536
#define RELAY_PAIRS 256 /* bootstrap connections relayed at once */

typedef struct relay_pair {
    int client, broker;
} relay_pair;

struct velo_dev_kafka {
    rd_kafka_t *rk; /* owns the mock cluster */
    rd_kafka_mock_cluster_t *mock;
    char bootstrap[64];
    struct sockaddr_in broker_addr; /* broker 1's own listener */
    int listen_fd;
    int wake[2]; /* pipe: a byte tells the relay thread to stop */
    pthread_t relay;
    bool relay_running;
    relay_pair pairs[RELAY_PAIRS];
    int npairs;
};

static void close_pair(velo_dev_kafka *dk, int i) {
    close(dk->pairs[i].client);
    close(dk->pairs[i].broker);
    dk->pairs[i] = dk->pairs[--dk->npairs];
}

static void accept_one(velo_dev_kafka *dk) {
    int c = accept(dk->listen_fd, NULL, NULL);
    if (c < 0) return;
    if (dk->npairs == RELAY_PAIRS) {
        close(c);
        return;
    }
    int b = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (b < 0 || connect(b, (struct sockaddr *)&dk->broker_addr, sizeof dk->broker_addr) != 0) {
        if (b >= 0) close(b);
        close(c);
        return;
    }
    int one = 1;
    setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt(b, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    dk->pairs[dk->npairs++] = (relay_pair){c, b};
}

/* Copies what `from` has to `to`; false when either side is closed. */
static bool relay_once(int from, int to, char *buf) {
    ssize_t n = read(from, buf, RELAY_BUF);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
    if (n <= 0) return false;
    for (ssize_t off = 0; off < n;) {
        ssize_t w = write(to, buf + off, (size_t)(n - off));
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return false;
        off += w;
    }
    return true;
}

static void *relay_main(void *arg) {
    velo_dev_kafka *dk = arg;
    char *buf = mi_malloc(RELAY_BUF);
    struct pollfd *fds = mi_malloc(sizeof *fds * (2 + 2 * RELAY_PAIRS));
    if (!buf || !fds) goto out;
    for (;;) {
        int n = 0;
        fds[n++] = (struct pollfd){.fd = dk->wake[0], .events = POLLIN};
        fds[n++] = (struct pollfd){.fd = dk->listen_fd, .events = POLLIN};
        for (int i = 0; i < dk->npairs; i++) {
            fds[n++] = (struct pollfd){.fd = dk->pairs[i].client, .events = POLLIN};
            fds[n++] = (struct pollfd){.fd = dk->pairs[i].broker, .events = POLLIN};
        }
        int npairs = dk->npairs;
        if (poll(fds, (nfds_t)n, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (fds[0].revents) break;
        /* pairs first (indices stay valid), backwards so close_pair's swap is safe */
        for (int i = npairs - 1; i >= 0; i--) {
            struct pollfd *c = &fds[2 + 2 * i], *b = &fds[3 + 2 * i];
            bool ok = true;
            if (c->revents) ok = relay_once(dk->pairs[i].client, dk->pairs[i].broker, buf);
            if (ok && b->revents) ok = relay_once(dk->pairs[i].broker, dk->pairs[i].client, buf);
            if (!ok) close_pair(dk, i);
        }
        if (fds[1].revents & POLLIN) accept_one(dk);
    }
out:
    while (dk->npairs)
        close_pair(dk, dk->npairs - 1);
    mi_free(fds);
    mi_free(buf);
    return NULL;
}

/* Parses "127.0.0.1:37213,..." (the mock's bootstrap list): the first broker's address. */
static bool first_broker(const char *list, struct sockaddr_in *out) {
    const char *colon = strchr(list, ':');
    if (!colon) return false;
    char host[64];
    snprintf(host, sizeof host, "%.*s", (int)(colon - list), list);
    memset(out, 0, sizeof *out);
    out->sin_family = AF_INET;
    out->sin_port = htons((uint16_t)atoi(colon + 1));
    if (!strcmp(host, "localhost")) snprintf(host, sizeof host, "127.0.0.1");
    return inet_pton(AF_INET, host, &out->sin_addr) == 1;
}

static velo_status start_relay(velo_dev_kafka *dk, int port, velo_error *err) {
    if (!first_broker(rd_kafka_mock_cluster_bootstraps(dk->mock), &dk->broker_addr))
        return velo_error_set(err, VELO_ERR_INTERNAL, "dev-kafka: cannot read the mock broker's address '%s'",
                              rd_kafka_mock_cluster_bootstraps(dk->mock));
    dk->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (dk->listen_fd < 0) return velo_error_set(err, VELO_ERR_IO, "dev-kafka: socket: %s", strerror(errno));
    int one = 1;
    setsockopt(dk->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(dk->listen_fd, (struct sockaddr *)&a, sizeof a) != 0)
        return velo_error_set(err, VELO_ERR_IO,
                              "dev-kafka: cannot listen on 127.0.0.1:%d: %s (is another broker running? "
                              "choose another port with --port)",
                              port, strerror(errno));
    if (listen(dk->listen_fd, 64) != 0)
        return velo_error_set(err, VELO_ERR_IO, "dev-kafka: listen: %s", strerror(errno));
    if (pipe(dk->wake) != 0) return velo_error_set(err, VELO_ERR_IO, "dev-kafka: pipe: %s", strerror(errno));
    if (pthread_create(&dk->relay, NULL, relay_main, dk) != 0)
        return velo_error_set(err, VELO_ERR_IO, "dev-kafka: cannot start the bootstrap relay thread");
    dk->relay_running = true;
    snprintf(dk->bootstrap, sizeof dk->bootstrap, "127.0.0.1:%d", port);
    return VELO_OK;
}

static velo_status create_topics(velo_dev_kafka *dk, const char *topics, int partitions, velo_error *err) {
    while (topics && *topics) {
        const char *end = strchr(topics, ',');
        size_t n = end ? (size_t)(end - topics) : strlen(topics);
        char name[256];
        if (n >= sizeof name) return velo_error_set(err, VELO_ERR_INVALID, "dev-kafka: topic name too long");
        memcpy(name, topics, n);
        name[n] = '\0';
        if (n) {
            rd_kafka_resp_err_t e = rd_kafka_mock_topic_create(dk->mock, name, partitions, 1);
            if (e)
                return velo_error_set(err, VELO_ERR_INVALID, "dev-kafka: cannot create topic '%s': %s", name,
                                      rd_kafka_err2str(e));
        }
        topics = end ? end + 1 : NULL;
    }
    return VELO_OK;
}

velo_status velo_dev_kafka_start(const velo_dev_kafka_options *opts, velo_dev_kafka **out, velo_error *err) {
    velo_dev_kafka *dk = mi_zalloc(sizeof *dk);
    if (!dk) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
    dk->listen_fd = dk->wake[0] = dk->wake[1] = -1;
    velo_status st = VELO_OK;
    char errstr[512];
    int partitions = opts->partitions > 0 ? opts->partitions : 4;
    if (opts->port < 0 || opts->port > 65535) {
        st =
            velo_error_set(err, VELO_ERR_INVALID, "dev-kafka: --port must be 0..65535, found %d", opts->port);
        goto fail;
    }
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr);
    dk->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (!dk->rk) {
        rd_kafka_conf_destroy(conf);
        st = velo_error_set(err, VELO_ERR_INTERNAL, "dev-kafka: %s", errstr);
        goto fail;
    }
    dk->mock = rd_kafka_mock_cluster_new(dk->rk, opts->brokers > 0 ? opts->brokers : 1);
    if (!dk->mock) {
        st = velo_error_set(err, VELO_ERR_IO, "dev-kafka: librdkafka could not create the mock cluster");
        goto fail;
    }
    if ((st = create_topics(dk, opts->topics, partitions, err))) goto fail;
    if (opts->port == 0)
        snprintf(dk->bootstrap, sizeof dk->bootstrap, "%s", rd_kafka_mock_cluster_bootstraps(dk->mock));
    else if ((st = start_relay(dk, opts->port, err)))
        goto fail;
    *out = dk;
    return VELO_OK;
fail:
    velo_dev_kafka_stop(dk);
    return st;
}

const char *velo_dev_kafka_bootstrap(const velo_dev_kafka *dk) { return dk->bootstrap; }

void *velo_dev_kafka_mock(velo_dev_kafka *dk) { return dk->mock; }

void velo_dev_kafka_stop(velo_dev_kafka *dk) {
    if (!dk) return;
    if (dk->relay_running) {
        char c = 1;
        ssize_t w = write(dk->wake[1], &c, 1);
        (void)w;
        pthread_join(dk->relay, NULL);
    }
    if (dk->listen_fd >= 0) close(dk->listen_fd);
    if (dk->wake[0] >= 0) close(dk->wake[0]);
    if (dk->wake[1] >= 0) close(dk->wake[1]);
    if (dk->mock) rd_kafka_mock_cluster_destroy(dk->mock);
    if (dk->rk) rd_kafka_destroy(dk->rk);
    mi_free(dk);
}

velo_status velo_dev_kafka_run(const velo_dev_kafka_options *opts, const atomic_bool *stop, FILE *out,
                               FILE *info, velo_error *err) {
    velo_dev_kafka *dk = NULL;
    velo_status st = velo_dev_kafka_start(opts, &dk, err);
    if (st) return st;
    fprintf(out, "%s\n", dk->bootstrap);
    fflush(out);
    if (info) {
        fprintf(info,
                "velo-sql dev-kafka: Kafka-protocol broker (librdkafka mock cluster) at %s\n"
                "  topics created: %s (%d partitions each); other topics are created on first use\n"
                "  in memory only; keeps the newest ~5 MB (at most ~100k messages) per partition\n"
                "  stop with Ctrl-C (SIGINT) or SIGTERM\n",
                dk->bootstrap, opts->topics && *opts->topics ? opts->topics : "none",
                opts->partitions > 0 ? opts->partitions : 4);
        fflush(info);
    }
    struct timespec ts = {0, 50 * 1000 * 1000};
    while (!atomic_load(stop))
        nanosleep(&ts, NULL);
    velo_dev_kafka_stop(dk);
    return VELO_OK;
}
