; The disassembler corpus as 16-bit code (test_disasm sweeps it with
; objdump -Maddr16,data16).
bits 16
%include "body.inc"
