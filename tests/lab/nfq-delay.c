/*
 * nfq-delay: constant-delay stage for the PortAtlas test lab.
 *
 * The kernel here has no netem qdisc, so delay is emulated in user space:
 * packets steered to an NFQUEUE (iptables -j NFQUEUE --queue-bypass) are
 * received here, stamped with their arrival time, held, and given an
 * NF_ACCEPT verdict once `now >= arrival + delay`. The delay is constant, so
 * a FIFO ring of packet ids releases packets in arrival order (no reordering).
 *
 * Robustness:
 *   - Only packet metadata is copied (NFQNL_COPY_META): the verdict needs the
 *     id only.
 *   - The queue is created with NFQA_CFG_F_FAIL_OPEN, so if the kernel-side
 *     queue fills up packets are accepted rather than dropped.
 *   - The iptables rule uses --queue-bypass, so if this process dies traffic
 *     flows undelayed.
 *   - If the ring is full, a packet is accepted immediately.
 *
 * usage: nfq-delay -q QUEUE -d DELAY_MS
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

#define RING_SIZE 65536u /* power of two */

struct held {
    uint32_t id;
    uint64_t release_ns;
};

static struct held ring[RING_SIZE];
static unsigned ring_head, ring_tail; /* head: oldest; tail: next free */
static uint64_t delay_ns;
static struct nfq_q_handle *qh;
static volatile sig_atomic_t stop;
static unsigned long n_in, n_out, n_overflow;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static unsigned ring_count(void) { return ring_tail - ring_head; }

static int on_packet(struct nfq_q_handle *q, struct nfgenmsg *msg,
                     struct nfq_data *nfa, void *data)
{
    (void)msg; (void)data;
    struct nfqnl_msg_packet_hdr *ph = nfq_get_msg_packet_hdr(nfa);
    if (!ph)
        return 0;
    uint32_t id = ntohl(ph->packet_id);
    n_in++;
    if (ring_count() >= RING_SIZE) {
        n_overflow++;
        return nfq_set_verdict(q, id, NF_ACCEPT, 0, NULL);
    }
    ring[ring_tail & (RING_SIZE - 1)].id = id;
    ring[ring_tail & (RING_SIZE - 1)].release_ns = now_ns() + delay_ns;
    ring_tail++;
    return 0;
}

static void release_due(void)
{
    uint64_t now = now_ns();
    while (ring_count() > 0) {
        struct held *h = &ring[ring_head & (RING_SIZE - 1)];
        if (h->release_ns > now)
            break;
        nfq_set_verdict(qh, h->id, NF_ACCEPT, 0, NULL);
        ring_head++;
        n_out++;
    }
}

static void on_signal(int sig) { (void)sig; stop = 1; }

int main(int argc, char **argv)
{
    int queue = 0;
    long delay_ms = -1;
    int opt;
    while ((opt = getopt(argc, argv, "q:d:")) != -1) {
        switch (opt) {
        case 'q': queue = atoi(optarg); break;
        case 'd': delay_ms = strtol(optarg, NULL, 10); break;
        default:
            fprintf(stderr, "usage: %s -q QUEUE -d DELAY_MS\n", argv[0]);
            return 2;
        }
    }
    if (delay_ms < 0 || delay_ms > 10000) {
        fprintf(stderr, "nfq-delay: -d DELAY_MS (0..10000) required\n");
        return 2;
    }
    delay_ns = (uint64_t)delay_ms * 1000000ull;

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    struct nfq_handle *h = nfq_open();
    if (!h) { perror("nfq_open"); return 1; }
    /* Harmless on modern kernels; needed on old ones. */
    nfq_unbind_pf(h, AF_INET);
    if (nfq_bind_pf(h, AF_INET) < 0) { perror("nfq_bind_pf"); return 1; }
    qh = nfq_create_queue(h, (uint16_t)queue, &on_packet, NULL);
    if (!qh) { perror("nfq_create_queue"); return 1; }
    if (nfq_set_mode(qh, NFQNL_COPY_META, 0) < 0) {
        /* Fall back to copying a small prefix. */
        if (nfq_set_mode(qh, NFQNL_COPY_PACKET, 64) < 0) {
            perror("nfq_set_mode"); return 1;
        }
    }
    nfq_set_queue_maxlen(qh, RING_SIZE);
    nfq_set_queue_flags(qh, NFQA_CFG_F_FAIL_OPEN, NFQA_CFG_F_FAIL_OPEN);

    int fd = nfq_fd(h);
    nfnl_rcvbufsiz(nfq_nfnlh(h), 8u * 1024 * 1024);

    fprintf(stderr, "nfq-delay: queue %d, delay %ld ms\n", queue, delay_ms);

    static char buf[65536] __attribute__((aligned));
    while (!stop) {
        release_due();
        int timeout_ms = -1;
        if (ring_count() > 0) {
            uint64_t now = now_ns();
            uint64_t due = ring[ring_head & (RING_SIZE - 1)].release_ns;
            uint64_t wait = due > now ? due - now : 0;
            timeout_ms = (int)((wait + 999999ull) / 1000000ull); /* round up */
        }
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        int r = poll(&pfd, 1, timeout_ms);
        if (r < 0) {
            if (errno == EINTR) continue;
            perror("poll");
            break;
        }
        if (r > 0 && (pfd.revents & POLLIN)) {
            /* Drain everything that is ready without blocking. */
            for (;;) {
                ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
                if (n < 0) {
                    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
                        break;
                    if (errno == ENOBUFS) /* kernel dropped some messages */
                        continue;
                    perror("recv");
                    break;
                }
                nfq_handle_packet(h, buf, (int)n);
            }
        }
    }

    /* Release whatever is still held so nothing is stranded. */
    while (ring_count() > 0) {
        nfq_set_verdict(qh, ring[ring_head & (RING_SIZE - 1)].id, NF_ACCEPT, 0, NULL);
        ring_head++;
        n_out++;
    }
    fprintf(stderr, "nfq-delay: exiting; in=%lu out=%lu overflow=%lu\n",
            n_in, n_out, n_overflow);
    nfq_destroy_queue(qh);
    nfq_close(h);
    return 0;
}
