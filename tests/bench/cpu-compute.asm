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

%include "multiboot-com1.inc"

ITERS    equ 30000000                 ; even: the odd branch runs ITERS / 2 times
; 16 instructions every iteration (the call's target included) and one
; more on odd iterations.
LOOP_INSNS equ ITERS * 16 + ITERS / 2

multiboot_header

start:
        cli
        mov esp, stack_top
        com1_init

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

com1_routines

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
