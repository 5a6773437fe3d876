; Implicit supervisor accesses from ring 3: the GDT, IDT and TSS sit on a
; page that user mode may not touch (U=0), as Linux maps its IDT. Ring 3
; then raises INT 41h (a DPL-3 trap gate): the CPU must still read the
; IDT, GDT and TSS (a supervisor access, whatever the CPL) and enter the
; handler on the ring-0 stack. A CPU that checks those reads against CPL 3
; page-faults, double-faults and shuts down.
; Results: [500h] = 600Dh (the handler ran), EAX at the final HLT = 1Bh
; (the CS pushed by the interrupt), and [504h] = 0 (no #PF handler ran).
bits 16
org 0x7c00
%include "pm-entry.inc"
    enter_pm32 0x9800
    mov ax, 0x28
    ltr ax
    ; Page table at 11000h: the first 4 MiB identity mapped, user pages,
    ; except the page of the system tables (8000h), supervisor only.
    mov edi, 0x11000
    xor ecx, ecx
.fill:
    mov eax, ecx
    shl eax, 12
    or eax, 7
    cmp ecx, 8
    jne .store
    and eax, ~4
.store:
    mov [edi + ecx * 4], eax
    inc ecx
    cmp ecx, 1024
    jne .fill
    mov dword [0x10000], 0x11000 | 7
    mov eax, 0x10000
    mov cr3, eax
    mov eax, cr0
    or eax, 0x80000000
    mov cr0, eax
    jmp .paged
.paged:
    push dword 0x23             ; SS
    push dword 0x6000           ; ESP
    push dword 0x202            ; EFLAGS
    push dword 0x1b             ; CS
    push dword user
    iretd

user:
    mov ax, 0x23                ; IRET to ring 3 nulled DS
    mov ds, ax
    int 0x41
    jmp user

int41:                          ; ring 0
    mov dword [0x500], 0x600d
    mov eax, [esp + 4]          ; CS of the interrupted code
    hlt

pf:
    mov dword [0x504], 1
    hlt

    times 0x400 - ($ - $$) db 0 ; the system tables start at 8000h

gdt:
    dq 0
    dq 0x00CF9A000000FFFF       ; 08: ring-0 code
    dq 0x00CF92000000FFFF       ; 10: ring-0 data
    dq 0x00CFFA000000FFFF       ; 18: ring-3 code
    dq 0x00CFF2000000FFFF       ; 20: ring-3 data
    dw 0x67, tss0, 0x8900, 0    ; 28: TSS
gdt_end:
gdt_desc:
    dw gdt_end - gdt - 1
    dd gdt

align 8
idt:
    times 14 dq 0
    dw pf, 0x08, 0x8E00, 0      ; 0Eh: #PF
    times 0x41 - 15 dq 0
    dw int41, 0x08, 0xEF00, 0   ; 41h: trap gate, DPL 3
idt_end:
idt_desc:
    dw idt_end - idt - 1
    dd idt

align 16
tss0:
    dd 0                        ; back link
    dd 0x9800, 0x10             ; ESP0, SS0
    times 0x68 - 12 db 0
