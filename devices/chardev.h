/* Character back-ends for the serial ports: where a UART's bytes go and
 * come from.  Specs (QEMU's spelling):
 *   "stdio"                      the terminal (raw mode on a tty, restored at exit;
 *                                Ctrl-C still interrupts the emulator)
 *   "file:PATH"                  output to a file, no input
 *   "pty"                        a new pseudo-terminal; its path is printed
 *   "tcp:127.0.0.1:PORT,server"  a listening socket; waits for a client at start,
 *                                or not with ",nowait"; a client may reconnect
 *   "none" (or NULL)             nothing attached
 * Input is read without blocking, into a buffer the UART drains at its baud
 * rate; output is buffered and written out by chardev_flush. */
#ifndef X86SIM_CHARDEV_H
#define X86SIM_CHARDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef enum chardev_kind { CHARDEV_NONE, CHARDEV_STDIO, CHARDEV_FILE, CHARDEV_PTY, CHARDEV_TCP } chardev_kind_t;

#define CHARDEV_BUF 4096

typedef struct chardev {
    chardev_kind_t kind;
    int in_fd;              /* -1 when there is no input (or no client yet) */
    int out_fd;             /* -1 when output goes to out_file, or nowhere */
    int listen_fd;          /* tcp: the listening socket */
    FILE *out_file;         /* stdio: stdout, shared with the debug console
                               (written through its stdio buffer) */
    bool eof;               /* input ended (stdin at end of file) */
    bool hangup;            /* pty: nobody has the other side open */
    bool raw_tty;           /* stdin was put in raw mode */
    uint8_t in[CHARDEV_BUF];
    size_t in_head, in_len;
    uint8_t out[CHARDEV_BUF];
    size_t out_len;
    char path[64];          /* pty: the slave's path */
    /* Sees every byte written, back-end or not (the board relays it to the
     * frontend's machine_t.serial_tap); set after chardev_open. */
    void (*tap)(void *opaque, const struct chardev *c, uint8_t b);
    void *tap_opaque;
} chardev_t;

/* Opens `spec` for the port called `name` (for messages).  On error
 * writes a message naming the spec and the reason, and returns false. */
bool chardev_open(chardev_t *c, const char *spec, const char *name, char *err, size_t errlen);
void chardev_close(chardev_t *c);
/* Queues a byte for output (written by chardev_flush, or when full). */
void chardev_write(chardev_t *c, uint8_t b);
void chardev_flush(chardev_t *c);
/* Accepts a waiting client and reads what input is available, without
 * blocking. */
void chardev_poll(chardev_t *c);
/* The next input byte, or -1. */
int chardev_read(chardev_t *c);
bool chardev_has_input(const chardev_t *c);
/* Something is attached that could talk (a client connected, a terminal). */
bool chardev_connected(const chardev_t *c);
/* A descriptor that becomes readable when input (or a client) arrives, for
 * the idle loop to wait on; -1 when none. */
int chardev_wait_fd(const chardev_t *c);

#endif
