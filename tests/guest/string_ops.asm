; String instructions in real mode: REP STOS/MOVS/CMPS/SCAS/LODS/INS/OUTS,
; both directions, overlapping copies, every source segment override,
; 32-bit address and operand sizes, and a 64 KiB fill with index wrap.
; Expected values follow from the instructions' definitions (SDM vol. 2).
%include "lib.inc"

SRC equ 0x1000                  ; DS
DST equ 0x2000                  ; ES
FSEG equ 0x3000
GSEG equ 0x4000

start:
    xor ax, ax
    mov ss, ax
    mov sp, 0x7000
    cld

    ; ---- REP STOSW over a whole 64 KiB segment: DI wraps to 0, CX ends 0
    mov ax, DST
    mov es, ax
    xor di, di
    mov cx, 0x8000
    mov ax, 0xA55A
    rep stosw
    CHECK cx, 0, "stosw count"
    CHECK di, 0, "stosw wrap"
    CHECK word [es:0x0000], 0xA55A, "stosw first"
    CHECK word [es:0xFFFE], 0xA55A, "stosw last"

    ; ---- a source pattern: DS:0000-00FF = 0..FF (STOSB, INC AL)
    mov ax, SRC
    mov ds, ax
    mov es, ax
    xor di, di
    xor ax, ax
    mov cx, 256
.fill:
    stosb
    inc al
    loop .fill
    CHECK di, 256, "stosb di"

    ; ---- REP MOVSB forward, then REPE CMPSB finds no difference
    mov ax, DST
    mov es, ax
    xor si, si
    mov di, 0x100
    mov cx, 256
    rep movsb
    CHECK si, 256, "movsb si"
    CHECK di, 0x200, "movsb di"
    xor si, si
    mov di, 0x100
    mov cx, 256
    repe cmpsb
    jne .bad_cmps
    CHECK cx, 0, "cmpsb count"
    ; one changed byte stops REPE CMPSB just after it
    mov byte [es:0x100 + 77], 0xEE
    xor si, si
    mov di, 0x100
    mov cx, 256
    repe cmpsb
    je .bad_cmps
    CHECK si, 78, "cmpsb stop si"
    CHECK cx, 256 - 78, "cmpsb stop cx"

    ; ---- REPNE SCASB finds the first 0x40 in 0..FF at offset 0x40
    mov ax, SRC
    mov es, ax
    xor di, di
    mov cx, 256
    mov al, 0x40
    repne scasb
    jne .bad_scas
    CHECK di, 0x41, "scasb di"
    CHECK cx, 256 - 0x41, "scasb cx"

    ; ---- overlapping forward MOVSB (DI = SI + 1) replicates the first byte
    mov ax, DST
    mov ds, ax
    mov es, ax
    mov byte [0x400], 0x5C
    mov si, 0x400
    mov di, 0x401
    mov cx, 100
    rep movsb
    CHECK byte [0x400 + 100], 0x5C, "replicate"
    CHECK byte [0x400 + 50], 0x5C, "replicate mid"

    ; ---- backward overlapping MOVSW (STD, DI = SI + 2) moves the block up
    mov word [0x600], 0x1111
    mov word [0x602], 0x2222
    mov word [0x604], 0x3333
    std
    mov si, 0x604
    mov di, 0x606
    mov cx, 3
    rep movsw
    cld
    CHECK word [0x602], 0x1111, "backward 1"
    CHECK word [0x604], 0x2222, "backward 2"
    CHECK word [0x606], 0x3333, "backward 3"
    CHECK si, 0x5FE, "backward si"

    ; ---- LODSW backwards
    std
    mov si, 0x606
    lodsw
    cld
    CHECK ax, 0x3333, "lodsw"
    CHECK si, 0x604, "lodsw si"

    ; ---- every source override: the copy comes from that segment
    mov ax, FSEG
    mov fs, ax
    mov byte [fs:0x10], 0xF5
    mov ax, GSEG
    mov gs, ax
    mov byte [gs:0x10], 0x65
    mov ax, SRC
    mov ds, ax
    mov byte [ds:0x10], 0xD5
    mov byte [es:0x10], 0xE5
    mov byte [ss:0x6000], 0x55
    mov di, 0x800
    mov si, 0x10
    fs movsb
    mov si, 0x10
    gs movsb
    mov si, 0x10
    es movsb
    mov si, 0x6000
    ss movsb
    mov si, 0x10
    movsb                       ; DS
    mov si, cs_bytes
    cs movsb                    ; from the ROM
    CHECK byte [es:0x800], 0xF5, "fs override"
    CHECK byte [es:0x801], 0x65, "gs override"
    CHECK byte [es:0x802], 0xE5, "es override"
    CHECK byte [es:0x803], 0x55, "ss override"
    CHECK byte [es:0x804], 0xD5, "ds default"
    CHECK byte [es:0x805], 0xC5, "cs override"
    ; an override does not move STOS off ES
    mov al, 0x77
    mov di, 0x900
    fs stosb
    CHECK byte [es:0x900], 0x77, "stos ignores override"

    ; ---- 32-bit address and operand size: ESI, EDI, ECX
    mov ax, SRC
    mov ds, ax
    mov ax, DST
    mov es, ax
    mov esi, 0x20
    mov edi, 0xA00
    mov ecx, 8
    a32 rep movsd
    CHECK ecx, 0, "movsd ecx"
    CHECK edi, 0xA20, "movsd edi"
    mov eax, [es:0xA00]
    CHECK eax, 0x23222120, "movsd data"
    ; the upper half of ECX survives a 16-bit REP
    mov ecx, 0x12340002
    mov di, 0xB00
    rep stosb
    CHECK ecx, 0x12340000, "cx only"

    ; ---- REP INSB from an unconnected port reads all ones
    mov dx, 0x2F0
    mov di, 0xC00
    mov cx, 4
    rep insb
    CHECK dword [es:0xC00], 0xFFFFFFFF, "insb"

    ; ---- REP OUTSB prints a line on the debug port, from CS
    mov ax, cs
    mov ds, ax
    mov si, message
    mov cx, message_end - message
    mov dx, 0xE9
    rep outsb
    CHECK cx, 0, "outsb"
    PASS
.bad_cmps:
    FAIL "cmps flags"
.bad_scas:
    FAIL "scas flags"

cs_bytes: db 0xC5
message: db "string instructions: rep outsb works", 10
message_end:

ROM_END
