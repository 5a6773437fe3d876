; vbe-pattern.asm: an option ROM that SeaBIOS runs after SeaVGABIOS. It
; sets VBE mode 118h (1024x768, 24 bits per pixel) through int 10h
; function 4F02h, fills the first 64 KiB of the frame through the banked
; window at A000h with byte i = i mod 256, and halts.
; test-vga-seabios checks the mode and the pixels.
bits 16
org 0

        db 0x55, 0xaa
        db 1                    ; 512 bytes
        jmp start

start:
        mov ax, 0x4f02
        mov bx, 0x0118
        int 0x10
        cmp ax, 0x004f
        jne .halt
        push word 0xa000
        pop es
        cld
        xor di, di
        xor cx, cx              ; 65536 bytes
.fill:
        mov ax, di
        stosb
        loop .fill
.halt:
        cli
        hlt
        jmp .halt

        times 511 - ($ - $$) db 0
        db 0                    ; checksum, set by the build
