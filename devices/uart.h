/* The National Semiconductor 16550A UART, one per COM port (COM1 0x3F8
 * IRQ 4, COM2 0x2F8 IRQ 3, COM3 0x3E8 IRQ 4, COM4 0x2E8 IRQ 3).
 *
 * Characters take the time the baud rate and line format give them, on the
 * event clock (line_rate, the chip's own behaviour): the transmitter shifts
 * one character per character time, and host input is fed to the receiver
 * at the same pace (never faster than the guest empties the FIFO, so pasted
 * text is not lost).  Without line_rate a character takes UART_FAST_CHAR_NS
 * whatever the baud rate: the line is a host file or terminal, and a guest
 * that polls the transmitter (Linux's console at 9600 baud) would otherwise
 * spend most of its boot waiting for a wire that does not exist.  On the PC
 * board the interrupt output reaches the PIC only while MCR OUT2 is set;
 * loopback mode disconnects it, as the modem-control pins go inactive. */
#ifndef X86SIM_UART_H
#define X86SIM_UART_H

#include <stdbool.h>
#include <stdint.h>

#include "chardev.h"
#include "clock.h"
#include "ioport.h"
#include "irq.h"

#define UART_FIFO 16
#define UART_CLOCK_HZ 1843200u
#define UART_FAST_CHAR_NS 1000u

/* Register offsets. */
enum { UART_RBR = 0, UART_THR = 0, UART_DLL = 0, UART_IER = 1, UART_DLM = 1, UART_IIR = 2,
       UART_FCR = 2, UART_LCR = 3, UART_MCR = 4, UART_LSR = 5, UART_MSR = 6, UART_SCR = 7 };

typedef struct uart_fifo {
    uint8_t data[UART_FIFO];
    uint8_t head, count;
} uart_fifo_t;

typedef struct uart {
    uint16_t base;
    const char *name;
    uint8_t ier, lcr, mcr, scr, dll, dlm;
    bool line_rate;             /* characters take their baud-rate time */
    bool fifo_enabled;
    uint8_t rx_trigger;         /* 1, 4, 8 or 14 */
    uart_fifo_t rx, tx;         /* without FIFOs each holds one byte */
    bool tsr_busy;              /* a character is being shifted out */
    uint8_t tsr;
    uint8_t line_errors;        /* LSR bits 1-4: OE, PE, FE, BI */
    bool thre_pending;          /* THR-empty interrupt armed */
    bool timeout_pending;       /* character timeout (FIFO mode) */
    uint8_t msr_delta;          /* MSR bits 0-3 */
    uint8_t modem_status;       /* MSR bits 4-7 as last seen */
    bool irq_level;
    vclock_t *clock;
    vtimer_t tx_timer, rx_timer, timeout_timer;
    irq_line_t irq;
    chardev_t *dev;             /* back-end, or NULL */
} uart_t;

bool uart_init(uart_t *u, ioport_bus_t *bus, vclock_t *clock, uint16_t base, irq_line_t irq,
               chardev_t *dev, const char *name);
void uart_reset(uart_t *u);
/* Picks up back-end input and connection changes; flushes output.  The
 * machine calls it from its host-side polling. */
void uart_poll(uart_t *u);
/* One character time in ns with the current divisor and line format. */
uint64_t uart_char_ns(const uart_t *u);
uint8_t uart_read(uart_t *u, uint8_t reg);
void uart_write(uart_t *u, uint8_t reg, uint8_t value);

#endif
