; guest-pio.asm: port I/O of every size, IN and OUT, and string I/O with
; a repeat count (KVM hands those over as one exit with count > 1).
%include "guest-common.inc"
bits 16
org LOAD_ADDR

start:
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7000
    cld

    mov dx, PORT_LOG
    mov al, 0x11
    out dx, al                  ; log 11
    in al, dx                   ; 40
    out dx, al                  ; log 40
    mov dx, PORT_WORD
    in ax, dx                   ; BEEF
    mov [RESULT], ax
    mov dx, PORT_DWORD
    in eax, dx                  ; 12345678
    mov [RESULT + 4], eax

    mov dx, PORT_LOG
    mov si, text
    mov cx, 4
    rep outsb                   ; log "KVM!"
    mov di, RESULT + 8
    mov cx, 3
    rep insb                    ; 41 42 43 into RESULT+8
    mov si, RESULT + 8
    mov cx, 3
    rep outsb                   ; log 41 42 43
    mov dx, PORT_WORD
    mov si, words
    mov cx, 2
    rep outsw                   ; word log 1234 5678
    hlt

text:   db "KVM!"
words:  dw 0x1234, 0x5678
