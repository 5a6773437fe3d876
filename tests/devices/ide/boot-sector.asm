; boot-sector.asm: the boot sector of the SeaBIOS boot test. SeaBIOS
; loads it at 0000:7C00 from the IDE disk or, through El Torito (no
; emulation), from the ATAPI CD; it prints "BOOTED DL=xx" on COM1 with the
; BIOS drive number it was started from, then halts.
        bits 16
        org 0x7c00

start:  cli
        xor ax, ax
        mov ds, ax
        mov ss, ax
        mov sp, 0x7c00
        mov [drive], dl
        mov si, msg
        call puts
        mov al, [drive]
        shr al, 4
        call hex
        mov al, [drive]
        call hex
        mov al, 10
        call putc
.halt:  hlt
        jmp .halt

hex:    and al, 0x0f
        add al, '0'
        cmp al, '9'
        jbe putc
        add al, 'A' - '9' - 1
putc:   mov ah, al
        mov dx, 0x3fd
.w:     in al, dx
        test al, 0x20
        jz .w
        mov al, ah
        mov dx, 0x3f8
        out dx, al
        ret

puts:   lodsb
        test al, al
        jz .r
        call putc
        jmp puts
.r:     ret

msg:    db "BOOTED DL=", 0
drive:  db 0
        times 510 - ($ - $$) db 0
        dw 0xaa55
