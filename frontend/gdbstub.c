/* gdb remote stub (see gdbstub.h).  The protocol is gdb's "Remote Serial
 * Protocol" (gdb manual, appendix E): packets $data#checksum acknowledged
 * with +, Ctrl-C as a lone 0x03 byte, registers in the order of the target
 * description we send (gdb's i386 core feature). */
#include "gdbstub.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "inspect.h"

#define PACKET_MAX 4096

struct gdbstub {
    session_t *s;
    int listen_fd, fd;  /* fd = -1 while no gdb is connected */
    bool waiting;       /* gdb sent c or s and waits for the stop reply */
    char in[PACKET_MAX * 2];
    size_t in_len;
};

/* ---------------------------------------------------------------- target description */

static const char target_xml[] =
    "<?xml version=\"1.0\"?>\n"
    "<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
    "<target version=\"1.0\">\n"
    "<architecture>i386</architecture>\n"
    "<feature name=\"org.gnu.gdb.i386.core\">\n"
    "<flags id=\"i386_eflags\" size=\"4\">"
    "<field name=\"CF\" start=\"0\" end=\"0\"/><field name=\"\" start=\"1\" end=\"1\"/>"
    "<field name=\"PF\" start=\"2\" end=\"2\"/><field name=\"AF\" start=\"4\" end=\"4\"/>"
    "<field name=\"ZF\" start=\"6\" end=\"6\"/><field name=\"SF\" start=\"7\" end=\"7\"/>"
    "<field name=\"TF\" start=\"8\" end=\"8\"/><field name=\"IF\" start=\"9\" end=\"9\"/>"
    "<field name=\"DF\" start=\"10\" end=\"10\"/><field name=\"OF\" start=\"11\" end=\"11\"/>"
    "<field name=\"NT\" start=\"14\" end=\"14\"/><field name=\"RF\" start=\"16\" end=\"16\"/>"
    "<field name=\"VM\" start=\"17\" end=\"17\"/><field name=\"AC\" start=\"18\" end=\"18\"/>"
    "<field name=\"VIF\" start=\"19\" end=\"19\"/><field name=\"VIP\" start=\"20\" end=\"20\"/>"
    "<field name=\"ID\" start=\"21\" end=\"21\"/></flags>\n"
    "<reg name=\"eax\" bitsize=\"32\" type=\"int32\" regnum=\"0\"/>\n"
    "<reg name=\"ecx\" bitsize=\"32\" type=\"int32\"/>\n"
    "<reg name=\"edx\" bitsize=\"32\" type=\"int32\"/>\n"
    "<reg name=\"ebx\" bitsize=\"32\" type=\"int32\"/>\n"
    "<reg name=\"esp\" bitsize=\"32\" type=\"data_ptr\"/>\n"
    "<reg name=\"ebp\" bitsize=\"32\" type=\"data_ptr\"/>\n"
    "<reg name=\"esi\" bitsize=\"32\" type=\"int32\"/>\n"
    "<reg name=\"edi\" bitsize=\"32\" type=\"int32\"/>\n"
    "<reg name=\"eip\" bitsize=\"32\" type=\"code_ptr\"/>\n"
    "<reg name=\"eflags\" bitsize=\"32\" type=\"i386_eflags\"/>\n"
    "<reg name=\"cs\" bitsize=\"32\" type=\"int32\"/>\n"
    "<reg name=\"ss\" bitsize=\"32\" type=\"int32\"/>\n"
    "<reg name=\"ds\" bitsize=\"32\" type=\"int32\"/>\n"
    "<reg name=\"es\" bitsize=\"32\" type=\"int32\"/>\n"
    "<reg name=\"fs\" bitsize=\"32\" type=\"int32\"/>\n"
    "<reg name=\"gs\" bitsize=\"32\" type=\"int32\"/>\n"
    "<reg name=\"st0\" bitsize=\"80\" type=\"i387_ext\"/>\n"
    "<reg name=\"st1\" bitsize=\"80\" type=\"i387_ext\"/>\n"
    "<reg name=\"st2\" bitsize=\"80\" type=\"i387_ext\"/>\n"
    "<reg name=\"st3\" bitsize=\"80\" type=\"i387_ext\"/>\n"
    "<reg name=\"st4\" bitsize=\"80\" type=\"i387_ext\"/>\n"
    "<reg name=\"st5\" bitsize=\"80\" type=\"i387_ext\"/>\n"
    "<reg name=\"st6\" bitsize=\"80\" type=\"i387_ext\"/>\n"
    "<reg name=\"st7\" bitsize=\"80\" type=\"i387_ext\"/>\n"
    "<reg name=\"fctrl\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
    "<reg name=\"fstat\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
    "<reg name=\"ftag\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
    "<reg name=\"fiseg\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
    "<reg name=\"fioff\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
    "<reg name=\"foseg\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
    "<reg name=\"fooff\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
    "<reg name=\"fop\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
    "</feature>\n"
    "</target>\n";

enum { REG_EIP = 8, REG_EFLAGS = 9, REG_CS = 10, REG_ST0 = 16, REG_FCTRL = 24, REG_COUNT = 32 };

/* gdb's order cs ss ds es fs gs, as our segment numbers. */
static const int gdb_seg_order[6] = {SEG_CS, SEG_SS, SEG_DS, SEG_ES, SEG_FS, SEG_GS};

static unsigned reg_size(int n)
{
    return n >= REG_ST0 && n < REG_FCTRL ? 10 : 4;
}

/* Register n as little-endian bytes; returns its size. */
static unsigned reg_read(cpu_t *cpu, int n, uint8_t *out)
{
    uint32_t v = 0;
    if (n < 8) {
        v = cpu->gpr[n];
    } else if (n == REG_EIP) {
        v = cpu->eip;
    } else if (n == REG_EFLAGS) {
        v = cpu_get_eflags(cpu);
    } else if (n < REG_ST0) {
        v = cpu->seg[gdb_seg_order[n - REG_CS]].sel;
    } else if (n < REG_FCTRL) {
        const float80_t *f = &cpu->fpu.st[(cpu->fpu.top + n - REG_ST0) & 7];
        memcpy(out, &f->mant, 8);
        memcpy(out + 8, &f->sign_exp, 2);
        return 10;
    } else {
        const fpu_t *f = &cpu->fpu;
        uint32_t vals[8] = {f->cw, (f->sw & ~0x3800u) | (uint32_t)(f->top & 7) << 11, f->tw, f->fcs, f->fip,
                            f->fds, f->fdp, f->fop};
        v = vals[n - REG_FCTRL];
    }
    memcpy(out, &v, 4);
    return 4;
}

/* Writes register n; the FPU and, outside real mode, the segment
 * registers are read-only here (a selector needs its descriptor). */
static bool reg_write(cpu_t *cpu, int n, const uint8_t *in)
{
    uint32_t v;
    memcpy(&v, in, 4);
    if (n < 8)
        cpu->gpr[n] = v;
    else if (n == REG_EIP)
        cpu->eip = v;
    else if (n == REG_EFLAGS)
        cpu_set_eflags(cpu, v);
    else if (n < REG_ST0) {
        int sg = gdb_seg_order[n - REG_CS];
        if (cpu->seg[sg].sel == (uint16_t)v)
            return true;
        if (cpu_is_protected(cpu))
            return false;
        const segment_t *old = &cpu->seg[sg];
        cpu_load_seg_raw(cpu, sg, (uint16_t)v, (v & 0xFFFF) << 4, old->limit, old->access, old->flags);
    } else {
        return false;
    }
    return true;
}

/* ---------------------------------------------------------------- packets */

static const char hexdigits[] = "0123456789abcdef";

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static void to_hex(char *out, const uint8_t *in, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        out[2 * k] = hexdigits[in[k] >> 4];
        out[2 * k + 1] = hexdigits[in[k] & 15];
    }
    out[2 * n] = 0;
}

static bool from_hex(uint8_t *out, const char *in, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        int hi = hexval(in[2 * k]), lo = hi < 0 ? -1 : hexval(in[2 * k + 1]);
        if (lo < 0)
            return false;
        out[k] = (uint8_t)(hi << 4 | lo);
    }
    return true;
}

static void send_all(gdbstub_t *g, const char *data, size_t len)
{
    while (len && g->fd >= 0) {
        ssize_t n = send(g->fd, data, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        data += n;
        len -= (size_t)n;
    }
}

static void send_packet(gdbstub_t *g, const char *payload)
{
    size_t len = strlen(payload);
    char *buf = malloc(len + 5);
    if (!buf)
        return;
    uint8_t sum = 0;
    for (size_t k = 0; k < len; k++)
        sum = (uint8_t)(sum + (uint8_t)payload[k]);
    buf[0] = '$';
    memcpy(buf + 1, payload, len);
    snprintf(buf + 1 + len, 4, "#%02x", sum);
    send_all(g, buf, len + 4);
    free(buf);
}

/* "ADDR,LEN" in hex; *rest points past it. */
static bool parse_addr_len(const char *p, uint32_t *addr, uint32_t *len, const char **rest)
{
    char *end;
    unsigned long a = strtoul(p, &end, 16);
    if (*end != ',')
        return false;
    unsigned long l = strtoul(end + 1, &end, 16);
    *addr = (uint32_t)a;
    *len = (uint32_t)l;
    if (rest)
        *rest = end;
    return true;
}

static void forget_gdb_points(session_t *s)
{
    for (int k = s->nbreaks - 1; k >= 0; k--)
        if (s->breaks[k].origin == BP_GDB)
            session_delete_break(s, s->breaks[k].id);
    for (int k = s->nwatches - 1; k >= 0; k--)
        if (s->watches[k].origin == BP_GDB)
            session_delete_watch(s, s->watches[k].id);
}

static void disconnect(gdbstub_t *g)
{
    if (g->fd >= 0)
        close(g->fd);
    g->fd = -1;
    g->in_len = 0;
    g->waiting = false;
    forget_gdb_points(g->s);
}

/* Z/z packets: type 0 software, 1 hardware breakpoint; 2 write, 3 read,
 * 4 access watchpoint. */
static void breakpoint_packet(gdbstub_t *g, const char *p, bool insert)
{
    session_t *s = g->s;
    int type = p[1] - '0';
    uint32_t addr, kind;
    if (p[2] != ',' || !parse_addr_len(p + 3, &addr, &kind, NULL) || type < 0 || type > 4) {
        send_packet(g, "E22");
        return;
    }
    bool ok;
    if (type <= 1) {
        int id = session_find_break(s, addr, false, BP_GDB);
        ok = insert ? (id >= 0 || session_add_break(s, addr, false, false, BP_GDB) >= 0)
                    : (id >= 0 && session_delete_break(s, id));
    } else {
        bool rd = type != 2, wr = type != 3;
        int id = session_find_watch(s, addr, kind, rd, wr, BP_GDB);
        ok = insert ? (id >= 0 || session_add_watch(s, addr, kind, false, rd, wr, BP_GDB) >= 0)
                    : (id >= 0 && session_delete_watch(s, id));
    }
    send_packet(g, ok ? "OK" : "E28");
}

static void read_registers(gdbstub_t *g)
{
    char out[REG_COUNT * 20 + 1];
    size_t used = 0;
    for (int n = 0; n < REG_COUNT; n++) {
        uint8_t bytes[10];
        unsigned size = reg_read(&g->s->m->cpu, n, bytes);
        to_hex(out + used, bytes, size);
        used += 2 * size;
    }
    send_packet(g, out);
}

static void write_registers(gdbstub_t *g, const char *hex)
{
    size_t pos = 0, have = strlen(hex) / 2;
    for (int n = 0; n < REG_COUNT && pos + reg_size(n) <= have; n++) {
        uint8_t bytes[10];
        if (!from_hex(bytes, hex + 2 * pos, reg_size(n))) {
            send_packet(g, "E22");
            return;
        }
        if (n < REG_ST0)
            reg_write(&g->s->m->cpu, n, bytes);
        pos += reg_size(n);
    }
    send_packet(g, "OK");
}

static void memory_read(gdbstub_t *g, const char *p)
{
    uint32_t addr, len;
    if (!parse_addr_len(p, &addr, &len, NULL)) {
        send_packet(g, "E22");
        return;
    }
    if (len > PACKET_MAX / 2 - 8)
        len = PACKET_MAX / 2 - 8;
    uint8_t buf[PACKET_MAX / 2];
    size_t got = guest_read(g->s->m, addr, false, buf, len);
    if (got == 0 && len) {
        send_packet(g, "E14"); /* EFAULT */
        return;
    }
    char hex[PACKET_MAX + 1];
    to_hex(hex, buf, got);
    send_packet(g, hex);
}

static void memory_write(gdbstub_t *g, const char *p)
{
    uint32_t addr, len;
    const char *rest;
    uint8_t buf[PACKET_MAX / 2];
    if (!parse_addr_len(p, &addr, &len, &rest) || *rest != ':' || len > sizeof buf ||
        strlen(rest + 1) < 2 * (size_t)len || !from_hex(buf, rest + 1, len)) {
        send_packet(g, "E22");
        return;
    }
    send_packet(g, guest_write(g->s->m, addr, false, buf, len) == len ? "OK" : "E14");
}

static void features_read(gdbstub_t *g, const char *p)
{
    /* qXfer:features:read:target.xml:OFFSET,LENGTH */
    const char *annex = "target.xml:";
    if (strncmp(p, annex, strlen(annex))) {
        send_packet(g, "E00");
        return;
    }
    uint32_t off, len;
    if (!parse_addr_len(p + strlen(annex), &off, &len, NULL)) {
        send_packet(g, "E22");
        return;
    }
    size_t total = sizeof target_xml - 1;
    if (off >= total) {
        send_packet(g, "l");
        return;
    }
    if (len > PACKET_MAX - 2)
        len = PACKET_MAX - 2;
    size_t n = total - off < len ? total - off : len;
    char out[PACKET_MAX + 1];
    out[0] = off + n < total ? 'm' : 'l';
    memcpy(out + 1, target_xml + off, n);
    out[1 + n] = 0;
    send_packet(g, out);
}

/* Handles one packet; returns what it asks the machine to do. */
static gdb_request_t handle_packet(gdbstub_t *g, char *p)
{
    cpu_t *cpu = &g->s->m->cpu;
    switch (p[0]) {
    case '?': send_packet(g, "S05"); break;
    case 'g': read_registers(g); break;
    case 'G': write_registers(g, p + 1); break;
    case 'p': {
        int n = (int)strtoul(p + 1, NULL, 16);
        if (n < 0 || n >= REG_COUNT) {
            send_packet(g, "E22");
            break;
        }
        uint8_t bytes[10];
        char hex[21];
        to_hex(hex, bytes, reg_read(cpu, n, bytes));
        send_packet(g, hex);
        break;
    }
    case 'P': {
        char *eq;
        int n = (int)strtoul(p + 1, &eq, 16);
        uint8_t bytes[10];
        bool ok = *eq == '=' && n >= 0 && n < REG_COUNT && strlen(eq + 1) >= 2 * reg_size(n) &&
                  from_hex(bytes, eq + 1, reg_size(n)) && reg_write(cpu, n, bytes);
        send_packet(g, ok ? "OK" : "E22");
        break;
    }
    case 'm': memory_read(g, p + 1); break;
    case 'M': memory_write(g, p + 1); break;
    case 'Z': breakpoint_packet(g, p, true); break;
    case 'z': breakpoint_packet(g, p, false); break;
    case 'c':
    case 's':
        if (p[1]) /* resume at an address */
            cpu->eip = (uint32_t)strtoul(p + 1, NULL, 16);
        g->waiting = true;
        return p[0] == 'c' ? GDB_CONTINUE : GDB_STEP;
    case 'D':
        send_packet(g, "OK");
        disconnect(g);
        return GDB_DETACHED;
    case 'k':
        disconnect(g);
        return GDB_KILL;
    case 'H': send_packet(g, "OK"); break;
    case 'T': send_packet(g, "OK"); break; /* thread 1 is alive */
    case 'q':
        if (!strncmp(p, "qSupported", 10))
            send_packet(g, "PacketSize=1000;qXfer:features:read+");
        else if (!strncmp(p, "qXfer:features:read:", 20))
            features_read(g, p + 20);
        else if (!strcmp(p, "qAttached"))
            send_packet(g, "1");
        else if (!strcmp(p, "qC"))
            send_packet(g, "QC1");
        else if (!strcmp(p, "qfThreadInfo"))
            send_packet(g, "m1");
        else if (!strcmp(p, "qsThreadInfo"))
            send_packet(g, "l");
        else
            send_packet(g, "");
        break;
    default: send_packet(g, ""); break; /* not supported */
    }
    return GDB_NOTHING;
}

/* Takes the complete packets out of the input; Ctrl-C bytes set *interrupt. */
static gdb_request_t process_input(gdbstub_t *g, bool *interrupt)
{
    gdb_request_t req = GDB_NOTHING;
    size_t pos = 0;
    while (pos < g->in_len) {
        char c = g->in[pos];
        if (c == 0x03) {
            *interrupt = true;
            pos++;
            continue;
        }
        if (c != '$') { /* acks and noise */
            pos++;
            continue;
        }
        char *hash = memchr(g->in + pos, '#', g->in_len - pos);
        if (!hash || hash + 2 >= g->in + g->in_len)
            break; /* incomplete */
        size_t len = (size_t)(hash - (g->in + pos + 1));
        char packet[PACKET_MAX * 2];
        memcpy(packet, g->in + pos + 1, len);
        packet[len] = 0;
        uint8_t sum = 0;
        for (size_t k = 0; k < len; k++)
            sum = (uint8_t)(sum + (uint8_t)packet[k]);
        int hi = hexval(hash[1]), lo = hexval(hash[2]);
        pos = (size_t)(hash + 3 - g->in);
        if (hi < 0 || lo < 0 || (hi << 4 | lo) != sum) {
            send_all(g, "-", 1);
            continue;
        }
        send_all(g, "+", 1);
        gdb_request_t r = handle_packet(g, packet);
        if (g->fd < 0)
            return r;
        if (r != GDB_NOTHING)
            req = r;
    }
    memmove(g->in, g->in + pos, g->in_len - pos);
    g->in_len -= pos;
    return req;
}

static bool read_more(gdbstub_t *g, int flags)
{
    if (g->in_len == sizeof g->in)
        g->in_len = 0; /* garbage that never formed a packet */
    ssize_t n = recv(g->fd, g->in + g->in_len, sizeof g->in - g->in_len, flags);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
        disconnect(g);
        return false;
    }
    if (n > 0)
        g->in_len += (size_t)n;
    return n > 0;
}

static bool accept_client(gdbstub_t *g)
{
    int fd = accept(g->listen_fd, NULL, NULL);
    if (fd < 0)
        return false;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    g->fd = fd;
    g->in_len = 0;
    return true;
}

/* ---------------------------------------------------------------- interface */

gdbstub_t *gdbstub_open(session_t *s, int port, char *err, size_t errlen)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        snprintf(err, errlen, "socket: %s", strerror(errno));
        return NULL;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                               .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(fd, 1) < 0) {
        snprintf(err, errlen, "cannot listen on 127.0.0.1:%d: %s", port, strerror(errno));
        close(fd);
        return NULL;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    gdbstub_t *g = calloc(1, sizeof *g);
    if (!g) {
        close(fd);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    g->s = s;
    g->listen_fd = fd;
    g->fd = -1;
    return g;
}

void gdbstub_close(gdbstub_t *g)
{
    if (!g)
        return;
    if (g->fd >= 0)
        close(g->fd);
    close(g->listen_fd);
    free(g);
}

int gdbstub_fd(const gdbstub_t *g)
{
    return g->fd >= 0 ? g->fd : g->listen_fd;
}

bool gdbstub_connected(const gdbstub_t *g)
{
    return g && g->fd >= 0;
}

gdb_request_t gdbstub_service(gdbstub_t *g)
{
    if (g->fd < 0) {
        accept_client(g);
        return GDB_NOTHING;
    }
    if (!read_more(g, 0))
        return g->fd < 0 ? (g->s->opt->debug ? GDB_NOTHING : GDB_DETACHED) : GDB_NOTHING;
    bool interrupt = false;
    return process_input(g, &interrupt);
}

void gdbstub_poll_running(gdbstub_t *g)
{
    if (g->fd < 0) {
        /* gdb attaching stops the machine, as it expects a stopped target. */
        if (accept_client(g))
            session_request_stop(g->s, RUN_INTERRUPTED);
        return;
    }
    struct pollfd p = {.fd = g->fd, .events = POLLIN};
    if (poll(&p, 1, 0) <= 0 || !read_more(g, MSG_DONTWAIT))
        return;
    /* While running gdb only sends Ctrl-C; keep anything else for later. */
    char *ctrl_c = memchr(g->in, 0x03, g->in_len);
    if (ctrl_c) {
        memmove(ctrl_c, ctrl_c + 1, g->in_len - (size_t)(ctrl_c - g->in) - 1);
        g->in_len--;
        session_request_stop(g->s, RUN_INTERRUPTED);
    }
}

void gdbstub_report_stop(gdbstub_t *g, run_stop_t why)
{
    if (g->fd < 0 || !g->waiting)
        return;
    g->waiting = false;
    char reply[64];
    switch (why) {
    case RUN_BREAKPOINT: case RUN_STEPPED: case RUN_UNTIL:
        snprintf(reply, sizeof reply, "S05");
        break;
    case RUN_WATCHPOINT: {
        const watchpoint_t *w = NULL;
        for (int k = 0; k < g->s->nwatches; k++)
            if (g->s->watches[k].id == g->s->hit_watch.id)
                w = &g->s->watches[k];
        const char *kind = !w || (w->on_read && w->on_write) ? "awatch" : w->on_write ? "watch" : "rwatch";
        snprintf(reply, sizeof reply, "T05%s:%x;", kind, w ? w->addr : g->s->hit_watch.linear);
        break;
    }
    case RUN_INTERRUPTED: case RUN_SIGNAL:
        snprintf(reply, sizeof reply, "S02");
        break;
    default: /* the machine ended: gdb sees the process exit */
        snprintf(reply, sizeof reply, "W%02x", run_stop_status(g->s, why) & 0xFF);
        break;
    }
    send_packet(g, reply);
}
