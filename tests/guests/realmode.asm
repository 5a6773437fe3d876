; realmode.asm: a flat binary started in real mode at 0000:7C00 without a
; BIOS (the board's flat loader). Sets up the PIC and PIT itself, takes
; IRQ 0 through the real-mode interrupt vector table, reports on COM1.
        bits 16
        org 0x7c00
%include "serial.inc"

start:  cli
        xor ax, ax
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov sp, 0x7c00
        serial_init
        mov si, s_real
        cmp ax, ax
        call report

        ; PIC master at vector 8, as a BIOS leaves it; only IRQ 0
        mov al, 0x11
        out 0x20, al
        mov al, 0x08
        out 0x21, al
        mov al, 0x04
        out 0x21, al
        mov al, 0x01
        out 0x21, al
        mov al, 0xfe
        out 0x21, al
        mov word [8 * 4], irq0
        mov word [8 * 4 + 2], 0
        ; PIT channel 0, mode 2, about 1 ms
        mov al, 0x34
        out 0x43, al
        mov al, 1193 & 0xff
        out 0x40, al
        mov al, 1193 >> 8
        out 0x40, al
        sti
.wait:  hlt
        cmp word [ticks], 3
        jb .wait
        cli
        mov si, s_irq0
        cmp ax, ax
        call report
        mov si, s_done
        call puts
.halt:  cli
        hlt
        jmp .halt

irq0:   inc word [cs:ticks]
        push ax
        mov al, 0x20
        out 0x20, al
        pop ax
        iret

report: push si
        mov si, s_ok
        jz .p
        mov si, s_fail
.p:     call puts
        pop si
        call puts
        mov si, s_nl
puts:   lodsb
        test al, al
        jz .end
        mov ah, al
.busy:  mov dx, COM1 + 5
        in al, dx
        test al, 0x20
        jz .busy
        mov al, ah
        mov dx, COM1
        out dx, al
        jmp puts
.end:   ret

ticks:  dw 0
s_ok:   db "OK ", 0
s_fail: db "FAIL ", 0
s_nl:   db 10, 0
s_real: db "realmode", 0
s_irq0: db "irq0", 0
s_done: db "DONE", 10, 0
