/* The debugger / gdb command loop (see control.h). */
#include "control.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "batch.h"
#include "debugger.h"
#include "gdbstub.h"
#include "sdl.h"

/* Lines typed on standard input, read without blocking the window. */
typedef struct line_reader {
    char buf[1024];
    size_t len;
    bool eof;
    char line[1024];
} line_reader_t;

/* Reads what is available (when can_read); returns the next complete line,
 * or NULL. */
static char *next_line(line_reader_t *r, bool can_read)
{
    if (can_read && !r->eof && !memchr(r->buf, '\n', r->len)) {
        if (r->len == sizeof r->buf)
            r->len = 0; /* an overlong line is dropped */
        ssize_t n = read(STDIN_FILENO, r->buf + r->len, sizeof r->buf - r->len);
        if (n == 0)
            r->eof = true;
        else if (n > 0)
            r->len += (size_t)n;
    }
    char *nl = memchr(r->buf, '\n', r->len);
    size_t used;
    if (nl)
        used = (size_t)(nl - r->buf);
    else if (r->eof && r->len) /* a last line without a newline */
        used = r->len;
    else
        return NULL;
    memcpy(r->line, r->buf, used);
    r->line[used] = 0;
    size_t consumed = nl ? used + 1 : used;
    memmove(r->buf, r->buf + consumed, r->len - consumed);
    r->len -= consumed;
    return r->line;
}

static bool final_stop(run_stop_t why)
{
    return why != RUN_STEPPED && why != RUN_BREAKPOINT && why != RUN_WATCHPOINT && why != RUN_INTERRUPTED &&
           why != RUN_UNTIL && why != RUN_NONE;
}

int control_run(session_t *s)
{
    debugger_t *d = s->opt->debug ? debugger_create(s, stdout) : NULL;
    gdbstub_t *g = s->gdb;
    line_reader_t in = {0};
    int status = EXIT_POWEROFF;
    /* gdb alone without -S: the guest runs until gdb connects. */
    gdb_request_t req = !d && !s->opt->start_stopped ? GDB_CONTINUE : GDB_NOTHING;
    if (s->opt->debug && !d) {
        fprintf(stderr, "x86sim: out of memory for the debugger\n");
        return EXIT_HOST_ERROR;
    }
    if (d) {
        debugger_show_stop(d, RUN_NONE);
        if (s->opt->debug_script && !debugger_source(d, s->opt->debug_script))
            goto quit;
        debugger_prompt(d);
    }
    for (;;) {
        if (req == GDB_CONTINUE || req == GDB_STEP) {
            run_stop_t why = session_run(s, req == GDB_STEP ? 1 : 0);
            req = GDB_NOTHING;
            if (g)
                gdbstub_report_stop(g, why);
            if (d) {
                debugger_show_stop(d, why);
                debugger_prompt(d);
            } else if (final_stop(why) && (why != RUN_SIGNAL || !gdbstub_connected(g))) {
                report_stop(s, why);
                status = run_stop_status(s, why);
                break;
            }
        }
        struct pollfd fds[2];
        int nfds = 0, stdin_slot = -1, gdb_slot = -1;
        if (d && !in.eof) {
            stdin_slot = nfds;
            fds[nfds++] = (struct pollfd){.fd = STDIN_FILENO, .events = POLLIN};
        }
        if (g) {
            gdb_slot = nfds;
            fds[nfds++] = (struct pollfd){.fd = gdbstub_fd(g), .events = POLLIN};
        }
        char *line;
        if (d && (line = next_line(&in, false))) { /* a line left from the last read */
            if (!debugger_execute(d, line))
                goto quit;
            debugger_prompt(d);
            continue;
        }
        if (d && in.eof)
            goto quit;
        int n = poll(fds, (nfds_t)nfds, s->ui ? 20 : -1);
        int sig = session_take_signal();
        if (sig && !d) {
            status = EXIT_SIGNAL;
            break;
        }
        if (sig)
            fprintf(stdout, "\n(Ctrl-C: the machine is stopped; quit leaves)\n");
#ifdef X86SIM_HAVE_SDL
        if (s->ui) {
            sdl_poll(s->ui, false);
            if (sdl_closed(s->ui))
                goto quit;
        }
#endif
        if (n < 0 && errno != EINTR)
            break;
        if (n <= 0)
            continue;
        if (stdin_slot >= 0 && (fds[stdin_slot].revents & (POLLIN | POLLHUP))) {
            line = next_line(&in, true);
            if (line) {
                if (!debugger_execute(d, line))
                    goto quit;
                debugger_prompt(d);
            }
        }
        if (gdb_slot >= 0 && (fds[gdb_slot].revents & (POLLIN | POLLHUP | POLLERR))) {
            req = gdbstub_service(g);
            if (req == GDB_KILL)
                goto quit;
            if (req == GDB_DETACHED)
                req = d ? GDB_NOTHING : GDB_CONTINUE; /* no one left to stop it for */
        }
    }
    debugger_destroy(d);
    return status;
quit:
    status = d ? debugger_exit_status(d) : status;
    debugger_destroy(d);
    return status;
}
