; keys.asm: a flat binary (real mode at 0000:7C00, no BIOS) that prints
; every byte the keyboard sends, in hex, on COM1. The i8042 translates to
; set 1, as on a PC. Prints "READY" once it listens; the VM process test
; types through the session and reads the codes back.
        bits 16
        org 0x7c00
%include "serial.inc"

start:  cli
        xor ax, ax
        mov ds, ax
        mov ss, ax
        mov sp, 0x7c00
        serial_init
        ; command byte: keyboard interrupt, system flag, translation
        call kbc_wait
        mov al, 0x60
        out 0x64, al
        call kbc_wait
        mov al, 0x45
        out 0x60, al
        ; PIC master at vector 8, only IRQ 1
        mov al, 0x11
        out 0x20, al
        mov al, 0x08
        out 0x21, al
        mov al, 0x04
        out 0x21, al
        mov al, 0x01
        out 0x21, al
        mov al, 0xfd
        out 0x21, al
        mov word [9 * 4], irq1
        mov word [9 * 4 + 2], 0
        mov si, s_ready
        call puts
.idle:  sti
        hlt
        jmp .idle

kbc_wait:
        in al, 0x64
        test al, 0x02
        jnz kbc_wait
        ret

; One byte per interrupt, as Linux reads: the i8042 lowers IRQ 1 when the
; byte is read and raises it again for the next one, a new edge.
irq1:   push ax
        push bx
        push dx
        in al, 0x60
        mov bl, al
        shr al, 4
        call hex
        mov al, bl
        and al, 0x0f
        call hex
        mov al, ' '
        call putc
        mov al, 0x20
        out 0x20, al
        pop dx
        pop bx
        pop ax
        iret

hex:    add al, '0'
        cmp al, '9'
        jbe putc
        add al, 'A' - '9' - 1
putc:   mov ah, al
.busy:  mov dx, COM1 + 5
        in al, dx
        test al, 0x20
        jz .busy
        mov al, ah
        mov dx, COM1
        out dx, al
        ret

puts:   lodsb
        test al, al
        jz .end
        call putc
        jmp puts
.end:   ret

s_ready: db "READY", 10, 0
