/* Character back-ends (see chardev.h). */
#define _GNU_SOURCE /* posix_openpt, ptsname_r */
#include "chardev.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

/* The terminal's settings before raw mode.  The terminal belongs to the
 * process, not to a machine, so this one piece of state is global: the
 * exit and signal handlers that restore it have nothing else to go by. */
static struct termios saved_termios;
static bool termios_saved;

static void restore_terminal(void)
{
    if (termios_saved)
        tcsetattr(STDIN_FILENO, TCSANOW, &saved_termios);
}

static void restore_and_reraise(int sig)
{
    restore_terminal();
    signal(sig, SIG_DFL);
    raise(sig);
}

/* Raw input, but Ctrl-C and friends still signal the emulator; output is
 * left cooked so the emulator's own messages stay readable. */
static void terminal_raw(chardev_t *c)
{
    if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_termios) != 0)
        return;
    struct termios t = saved_termios;
    t.c_iflag &= (tcflag_t) ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
    t.c_lflag &= (tcflag_t) ~(ECHO | ECHONL | ICANON | IEXTEN);
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    if (tcsetattr(STDIN_FILENO, TCSANOW, &t) != 0)
        return;
    if (!termios_saved) {
        termios_saved = true;
        atexit(restore_terminal);
        int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
        for (unsigned k = 0; k < sizeof sigs / sizeof sigs[0]; k++) {
            struct sigaction old;
            /* Leave a handler the frontend installed alone. */
            if (sigaction(sigs[k], NULL, &old) == 0 && old.sa_handler == SIG_DFL)
                signal(sigs[k], restore_and_reraise);
        }
    }
    c->raw_tty = true;
}

static bool fail(char *err, size_t errlen, const char *name, const char *spec, const char *why)
{
    snprintf(err, errlen, "%s: -serial %s: %s", name, spec, why);
    return false;
}

static bool open_tcp(chardev_t *c, const char *spec, const char *name, char *err, size_t errlen)
{
    char host[64];
    unsigned port;
    int used = 0;
    if (sscanf(spec + 4, "%63[^:]:%u%n", host, &port, &used) != 2 || port == 0 || port > 65535)
        return fail(err, errlen, name, spec, "expected tcp:127.0.0.1:PORT,server[,nowait]");
    const char *opts = spec + 4 + used;
    if (!strstr(opts, ",server"))
        return fail(err, errlen, name, spec, "only server mode is supported (add ,server)");
    bool wait = !strstr(opts, ",nowait") && !strstr(opts, "wait=off");
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (!strcmp(host, "localhost"))
        strcpy(host, "127.0.0.1");
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1)
        return fail(err, errlen, name, spec, "the host must be an IPv4 address such as 127.0.0.1");
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return fail(err, errlen, name, spec, strerror(errno));
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(fd, 1) != 0) {
        int e = errno;
        close(fd);
        char why[128];
        snprintf(why, sizeof why, "cannot listen on port %u: %s", port, strerror(e));
        return fail(err, errlen, name, spec, why);
    }
    c->listen_fd = fd;
    if (wait) {
        fprintf(stderr, "x86sim: %s: waiting for a connection on %s:%u\n", name, host, port);
        int client = accept(fd, NULL, NULL);
        if (client < 0)
            return fail(err, errlen, name, spec, strerror(errno));
        c->in_fd = c->out_fd = client;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    if (c->in_fd >= 0)
        fcntl(c->in_fd, F_SETFL, fcntl(c->in_fd, F_GETFL) | O_NONBLOCK);
    return true;
}

static bool open_pty(chardev_t *c, const char *spec, const char *name, char *err, size_t errlen)
{
    int fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd < 0 || grantpt(fd) != 0 || unlockpt(fd) != 0 || ptsname_r(fd, c->path, sizeof c->path) != 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return fail(err, errlen, name, spec, strerror(e));
    }
    struct termios t;
    if (tcgetattr(fd, &t) == 0) {
        cfmakeraw(&t);
        tcsetattr(fd, TCSANOW, &t);
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    c->in_fd = c->out_fd = fd;
    fprintf(stderr, "x86sim: %s: serial port on %s\n", name, c->path);
    return true;
}

bool chardev_open(chardev_t *c, const char *spec, const char *name, char *err, size_t errlen)
{
    memset(c, 0, sizeof *c);
    c->in_fd = c->out_fd = c->listen_fd = -1;
    if (!spec || !strcmp(spec, "none") || !strcmp(spec, "null"))
        return true;
    if (!strcmp(spec, "stdio")) {
        c->kind = CHARDEV_STDIO;
        c->in_fd = STDIN_FILENO;
        c->out_file = stdout;
        terminal_raw(c);
        return true;
    }
    if (!strncmp(spec, "file:", 5)) {
        c->kind = CHARDEV_FILE;
        c->out_fd = open(spec + 5, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        return c->out_fd >= 0 || fail(err, errlen, name, spec, strerror(errno));
    }
    if (!strcmp(spec, "pty")) {
        c->kind = CHARDEV_PTY;
        return open_pty(c, spec, name, err, errlen);
    }
    if (!strncmp(spec, "tcp:", 4)) {
        c->kind = CHARDEV_TCP;
        return open_tcp(c, spec, name, err, errlen);
    }
    return fail(err, errlen, name, spec, "unknown back-end (stdio, file:PATH, pty, tcp:HOST:PORT,server, none)");
}

static void drop_client(chardev_t *c)
{
    close(c->in_fd);
    c->in_fd = c->out_fd = -1;
}

void chardev_flush(chardev_t *c)
{
    if (c->out_file)
        fflush(c->out_file);
    if (!c->out_len)
        return;
    if (c->out_fd >= 0) {
        size_t done = 0;
        while (done < c->out_len) {
            ssize_t n = write(c->out_fd, c->out + done, c->out_len - done);
            if (n > 0) {
                done += (size_t)n;
                continue;
            }
            if (n < 0 && errno == EINTR)
                continue;
            /* A pty nobody reads, or a slow client: what does not fit is lost,
             * as on a serial line without flow control. */
            if (c->kind == CHARDEV_TCP && n < 0 && errno != EAGAIN)
                drop_client(c);
            break;
        }
    }
    c->out_len = 0;
}

void chardev_write(chardev_t *c, uint8_t b)
{
    if (c->tap)
        c->tap(c->tap_opaque, c, b);
    if (c->kind == CHARDEV_NONE)
        return;
    if (c->out_file) { /* stdio buffers it, in order with the debug console */
        putc(b, c->out_file);
        return;
    }
    if (c->out_len == sizeof c->out)
        chardev_flush(c);
    c->out[c->out_len++] = b;
}

void chardev_poll(chardev_t *c)
{
    if (c->kind == CHARDEV_TCP && c->in_fd < 0 && c->listen_fd >= 0) {
        int client = accept(c->listen_fd, NULL, NULL);
        if (client >= 0) {
            fcntl(client, F_SETFL, fcntl(client, F_GETFL) | O_NONBLOCK);
            c->in_fd = c->out_fd = client;
        }
    }
    if (c->in_fd < 0 || c->eof)
        return;
    if (c->in_head == c->in_len)
        c->in_head = c->in_len = 0;
    if (c->in_len == sizeof c->in)
        return;
    struct pollfd p = {.fd = c->in_fd, .events = POLLIN};
    if (poll(&p, 1, 0) <= 0)
        return;
    /* A pty whose other side nobody holds open hangs up until someone does. */
    c->hangup = c->kind == CHARDEV_PTY && !(p.revents & POLLIN);
    if (c->hangup)
        return;
    ssize_t n = read(c->in_fd, c->in + c->in_len, sizeof c->in - c->in_len);
    if (n > 0) {
        c->in_len += (size_t)n;
    } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        if (c->kind == CHARDEV_TCP)
            drop_client(c);     /* the client left: listen again */
        else if (c->kind == CHARDEV_STDIO)
            c->eof = true;
    }
}

int chardev_read(chardev_t *c)
{
    if (c->in_head == c->in_len)
        return -1;
    return c->in[c->in_head++];
}

bool chardev_has_input(const chardev_t *c)
{
    return c->in_head < c->in_len;
}

bool chardev_connected(const chardev_t *c)
{
    switch (c->kind) {
    case CHARDEV_NONE: return false;
    case CHARDEV_TCP: return c->in_fd >= 0;
    default: return true;
    }
}

int chardev_wait_fd(const chardev_t *c)
{
    if (c->kind == CHARDEV_TCP && c->in_fd < 0)
        return c->listen_fd;
    return c->eof || c->hangup ? -1 : c->in_fd;
}

void chardev_close(chardev_t *c)
{
    chardev_flush(c);
    if (c->raw_tty)
        restore_terminal();
    if (c->in_fd >= 0 && c->in_fd != STDIN_FILENO)
        close(c->in_fd);
    if (c->out_fd >= 0 && c->out_fd != c->in_fd)
        close(c->out_fd);
    if (c->listen_fd >= 0)
        close(c->listen_fd);
    memset(c, 0, sizeof *c);
    c->in_fd = c->out_fd = c->listen_fd = -1;
}
