; guest-mmio.asm: writes and reads of 1, 2 and 4 bytes to a device on the
; MMIO bus (in the legacy VGA window, which has no RAM behind it).
%include "guest-common.inc"
bits 16
org LOAD_ADDR

start:
    xor ax, ax
    mov ds, ax
    mov ax, MMIO_BASE
    mov es, ax
    mov byte [es:0], 0x5a
    mov word [es:2], 0x1234
    mov dword [es:4], 0xcafebabe
    mov eax, [es:8]             ; the device holds 11223344 there
    mov [RESULT], eax
    mov al, [es:0]              ; reads back 5a
    mov [RESULT + 4], al
    mov ax, [es:2]              ; reads back 1234
    mov [RESULT + 6], ax
    hlt
