; cpu-compute.asm: a Multiboot guest that runs a fixed integer compute loop
; for the cpu-compute benchmark (bench-cpu-compute.py). Between two lines on
; COM1 it executes exactly LOOP_INSNS instructions: loads and stores
; through a 4 KiB table, ALU operations, a multiply, a rotate, a call and
; return, a branch taken on every other iteration and the loop branch.
;   BW-COMPUTE-START
;   BW-COMPUTE-END insns=XXXXXXXX sum=XXXXXXXX odd=XXXXXXXX
; The sums let the benchmark check that both CPUs computed the same thing.
; Then it writes 0 to port 0xf4 (QEMU's isa-debug-exit ends there) and
; halts.
        bits 32
        org 0x100000

MB_MAGIC equ 0x1badb002
MB_FLAGS equ 0x00010002               ; memory info; load addresses below
COM1     equ 0x3f8

ITERS    equ 30000000                 ; even: the odd branch runs ITERS / 2 times
; 16 instructions every iteration (the call's target included) and one
; more on odd iterations.
LOOP_INSNS equ ITERS * 16 + ITERS / 2

mb_header:
        dd MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)
        dd mb_header, mb_header, image_end, bss_end, start

start:
        cli
        mov esp, stack_top
        ; 115200 8N1, FIFOs on
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
        mov al, 0x0b
        out dx, al

        ; A table of 1024 dwords to read from.
        mov edi, table
        mov ecx, 1024
        mov eax, 0x9e3779b9
.fill:  stosd
        add eax, 0x7f4a7c15
        loop .fill

        mov esi, s_start
        call puts

        mov ecx, ITERS
        xor ebx, ebx
        xor edx, edx
        mov esi, table
        mov edi, out_table
.loop:
        mov eax, [esi + ebx * 4]        ; 1
        add eax, ecx                    ; 2
        xor eax, edx                    ; 3
        imul eax, eax, 0x2545f491       ; 4
        rol eax, 5                      ; 5
        mov [edi + ebx * 4], eax        ; 6
        lea ebx, [ebx + 1]              ; 7
        and ebx, 1023                   ; 8
        call mix                        ; 9, 10-12 in mix
        test cl, 1                      ; 13
        jz .even                        ; 14
        inc dword [odd]                 ; odd iterations only
.even:
        dec ecx                         ; 15
        jnz .loop                       ; 16
        mov [sum], edx

        mov esi, s_end
        call puts
        mov eax, LOOP_INSNS
        call puthex
        mov esi, s_sum
        call puts
        mov eax, [sum]
        call puthex
        mov esi, s_odd
        call puts
        mov eax, [odd]
        call puthex
        mov esi, s_nl
        call puts

        xor eax, eax
        out 0xf4, al
        cli
.halt:  hlt
        jmp .halt

mix:
        add edx, eax
        sub edx, ebx
        ret

; putc: al to COM1 once the transmitter holding register is empty.
putc:
        push eax
        mov dx, COM1 + 5
.wait:  in al, dx
        test al, 0x20
        jz .wait
        pop eax
        mov dx, COM1
        out dx, al
        ret

; puts: the zero-terminated string at esi.
puts:
        lodsb
        test al, al
        jz .end
        call putc
        jmp puts
.end:   ret

; puthex: eax as eight hex digits.
puthex:
        mov ecx, 8
        mov ebx, eax
.digit: rol ebx, 4
        mov al, bl
        and al, 0x0f
        add al, '0'
        cmp al, '9'
        jbe .out
        add al, 'a' - '9' - 1
.out:   push ecx
        call putc
        pop ecx
        loop .digit
        ret

s_start: db "BW-COMPUTE-START", 13, 10, 0
s_end:   db "BW-COMPUTE-END insns=", 0
s_sum:   db " sum=", 0
s_odd:   db " odd=", 0
s_nl:    db 13, 10, 0

image_end:
        section .bss
        alignb 4096
table:     resd 1024
out_table: resd 1024
sum:       resd 1
odd:       resd 1
           resb 4096
stack_top:
bss_end:
