; PAE paging with NX: a 2 MiB identity page for the first 2 MiB and a
; 4 KiB page at linear 800000h -> physical 3000h marked no-execute. The
; store through the alias reaches physical memory; a call into the page
; raises #PF with the instruction-fetch bit.
; Results: EAX = C3h (read back at 3000h), EBX = CR2 = 800000h, ECX =
; error code 11h (present, instruction fetch), EDX = C0DEh.
bits 16
org 0x7c00
%include "pm-entry.inc"
    enter_pm32 0x9000
    mov edi, 0x10000
    xor eax, eax
    mov ecx, 3 * 1024
    rep stosd
    mov dword [0x10000], 0x11001            ; PDPTE 0 -> PD (present)
    mov dword [0x11000], 0x00000083         ; PDE 0: 2 MiB page at 0
    mov dword [0x11000 + 4 * 8], 0x12003    ; PDE 4 (800000h): PT
    mov dword [0x12000], 0x00003003         ; PTE 0 -> 3000h
    mov dword [0x12004], 0x80000000         ; ... with NX
    mov ecx, 0xc0000080                     ; EFER.NXE
    rdmsr
    or eax, 0x800
    wrmsr
    mov eax, cr4
    or eax, 0x20                            ; PAE
    mov cr4, eax
    mov eax, 0x10000
    mov cr3, eax
    mov eax, cr0
    or eax, 0x80000000
    mov cr0, eax
    mov byte [0x800000], 0xc3
    movzx eax, byte [0x3000]
    call 0x800000                           ; NX: #PF
    hlt

pf_handler:
    pop ecx
    mov ebx, cr2
    mov edx, 0xc0de
    hlt

align 8
gdt:
    dq 0
    dq 0x00CF9A000000FFFF
    dq 0x00CF92000000FFFF
gdt_end:
gdt_desc:
    dw gdt_end - gdt - 1
    dd gdt
idt:
    times 14 dq 0
    dw pf_handler, 0x08, 0x8E00, 0
idt_end:
idt_desc:
    dw idt_end - idt - 1
    dd idt
