; The disassembler corpus as 32-bit code (test_disasm sweeps it with
; objdump -mi386).
bits 32
%include "body.inc"
