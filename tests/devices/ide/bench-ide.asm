; bench-ide.asm: the guest half of the IDE throughput benchmark. A flat
; real-mode binary (started at 0000:7C00 without firmware) that reads the
; whole primary master disk sequentially with READ DMA, 64 KiB per
; command, then writes it back with WRITE DMA, then FLUSH CACHE, waiting
; for IRQ 14 with HLT after each command, as a driver does. It prints
; "START", "READ", "AGAIN", "WRITE" and "DONE" lines on COM1 so that the host can
; time each phase (the read pass runs twice); "FAIL" when a command ends
; with an error.
        bits 16
        org 0x7c00

COM1    equ 0x3f8
BM      equ 0xc000              ; where the guest puts BAR4
PRD     equ 0x0800              ; PRD table: one 64 KiB region at 0x10000
SECTORS equ 128                 ; per command
TOTAL   equ 128 * 2048          ; sectors on the disk (128 MiB)

start:  cli
        xor ax, ax
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov sp, 0x7c00
        call serial_init

        ; PCI 00:01.1: BAR4 at BM, I/O and bus mastering on.
        mov dx, 0xcf8
        mov eax, 0x80000920
        out dx, eax
        mov dx, 0xcfc
        mov eax, BM | 1
        out dx, eax
        mov dx, 0xcf8
        mov eax, 0x80000904
        out dx, eax
        mov dx, 0xcfc
        mov ax, 0x0005
        out dx, ax

        ; PICs: master at 08h, slave at 70h; only IRQ 2 (cascade) and 14.
        mov al, 0x11
        out 0x20, al
        out 0xa0, al
        mov al, 0x08
        out 0x21, al
        mov al, 0x70
        out 0xa1, al
        mov al, 0x04
        out 0x21, al
        mov al, 0x02
        out 0xa1, al
        mov al, 0x01
        out 0x21, al
        out 0xa1, al
        mov al, 0xfb
        out 0x21, al
        mov al, 0xbf
        out 0xa1, al
        mov word [0x76 * 4], irq14
        mov word [0x76 * 4 + 2], 0

        ; The PRD table.
        mov dword [PRD], 0x10000
        mov dword [PRD + 4], 0x80000000 ; count 0 = 64 KiB, end of table
        mov dx, BM + 4
        mov eax, PRD
        out dx, eax

        mov si, s_start
        call puts
        mov byte [cmd], 0xc8            ; READ DMA
        mov byte [bmdir], 0x08          ; to memory
        call pass
        mov si, s_read
        call puts
        call pass                       ; a second read pass: the faster counts
        mov si, s_read2
        call puts
        mov byte [cmd], 0xca            ; WRITE DMA
        mov byte [bmdir], 0x00
        call pass
        mov si, s_write
        call puts
        mov dx, 0x1f7
        mov al, 0xe7                    ; FLUSH CACHE
        out dx, al
        call wait_irq
        mov si, s_done
        call puts
.halt:  cli
        hlt
        jmp .halt

; One pass over the disk with the command in [cmd].
pass:   xor ebx, ebx                    ; LBA
.next:  mov dx, BM + 2
        mov al, 0x06                    ; clear interrupt and error
        out dx, al
        mov dx, 0x1f6
        mov eax, ebx
        shr eax, 24
        and al, 0x0f
        or al, 0xe0
        out dx, al
        mov dx, 0x1f2
        mov al, SECTORS & 0xff
        out dx, al
        inc dx
        mov al, bl
        out dx, al
        inc dx
        mov al, bh
        out dx, al
        inc dx
        mov eax, ebx
        shr eax, 16
        out dx, al
        inc dx
        inc dx
        mov al, [cmd]
        out dx, al
        mov dx, BM
        mov al, [bmdir]
        or al, 0x01                     ; start
        out dx, al
        call wait_irq
        mov dx, BM
        mov al, [bmdir]
        out dx, al                      ; stop
        add ebx, SECTORS
        cmp ebx, TOTAL
        jb .next
        ret

; Sleeps until IRQ 14 came, then checks the status the handler read.
wait_irq:
.w:     cli
        cmp byte [flag], 0
        jne .got
        sti
        hlt
        jmp .w
.got:   mov byte [flag], 0
        sti
        test byte [status], 0x01
        jz .ok
        mov si, s_fail
        call puts
.ok:    ret

irq14:  push ax
        push dx
        mov dx, 0x1f7
        in al, dx                       ; acknowledges the drive
        mov [status], al
        mov byte [flag], 1
        mov al, 0x20
        out 0xa0, al
        out 0x20, al
        pop dx
        pop ax
        iret

serial_init:
        mov dx, COM1 + 3
        mov al, 0x80
        out dx, al
        mov dx, COM1
        mov al, 1
        out dx, al
        inc dx
        xor al, al
        out dx, al
        mov dx, COM1 + 3
        mov al, 0x03
        out dx, al
        mov dx, COM1 + 2
        mov al, 0x07
        out dx, al
        mov dx, COM1 + 4
        mov al, 0x03
        out dx, al
        ret

puts:   lodsb
        test al, al
        jz .r
        mov ah, al
        mov dx, COM1 + 5
.tx:    in al, dx
        test al, 0x20
        jz .tx
        mov dx, COM1
        mov al, ah
        out dx, al
        jmp puts
.r:     ret

s_start: db "START", 10, 0
s_read:  db "READ", 10, 0
s_read2: db "AGAIN", 10, 0
s_write: db "WRITE", 10, 0
s_done:  db "DONE", 10, 0
s_fail:  db "FAIL", 10, 0
flag:    db 0
status:  db 0
cmd:     db 0
bmdir:   db 0
