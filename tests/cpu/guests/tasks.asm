; Task switches and call gates: real mode at 0000:7C00 enters 32-bit
; protected mode, loads TR, then
;   1. CALL to a TSS: task 1 runs nested (NT set, back link), IRETs back;
;   2. INT 40h through a task gate: task 1 runs again from after its IRET;
;   3. IRET to ring 3, which calls a ring-0 routine through a call gate
;      with one parameter (stack switch from the TSS), returns with RETF 4,
;      and ends with INT 41h (a DPL-3 trap gate) whose handler halts.
; Results in memory: [500h] = 7A5Ch (task 1 ran), [504h] = 2 (twice),
; [508h] = 4000h (NT was set in task 1), [510h] = 1234h (gate parameter),
; [514h] = 8 (CS in the gate routine), [518h] = 23h (caller's SS on the
; inner stack), [51Ch] = 3 (CPL seen after RETF). At the final HLT: EAX =
; 1Bh (CS pushed by INT 41h from ring 3).
bits 16
org 0x7c00
%include "pm-entry.inc"
    enter_pm32 0x9000
    mov ax, 0x28
    ltr ax

    call 0x30:0                 ; 1. nested task switch to task 1
    int 0x40                    ; 2. again, through a task gate

    ; 3. to ring 3
    push dword 0x23             ; SS
    push dword 0x6000           ; ESP
    push dword 0x202            ; EFLAGS
    push dword 0x1b             ; CS
    push dword user
    iretd

user:
    mov ax, 0x23
    mov ds, ax
    push dword 0x1234
    call 0x3b:0                 ; call gate, DPL 3, one parameter
    mov ax, cs
    and eax, 3
    mov [0x51c], eax
    int 0x41

gate_target:                    ; ring 0, on the TSS's ring-0 stack
    mov eax, [esp + 8]          ; the copied parameter
    mov [0x510], eax
    mov ax, cs
    movzx eax, ax
    mov [0x514], eax
    mov eax, [esp + 16]         ; caller's SS
    mov [0x518], eax
    retf 4

int41:
    mov eax, [esp + 4]          ; CS of the interrupted code
    hlt

task1:
    mov dword [0x500], 0x7a5c
    inc dword [0x504]
    pushfd
    pop eax
    and eax, 0x4000
    mov [0x508], eax
    iretd
    jmp task1

align 8
gdt:
    dq 0
    dq 0x00CF9A000000FFFF       ; 08: ring-0 code
    dq 0x00CF92000000FFFF       ; 10: ring-0 data
    dq 0x00CFFA000000FFFF       ; 18: ring-3 code
    dq 0x00CFF2000000FFFF       ; 20: ring-3 data
    ; 28: TSS 0 at tss0, 30: TSS 1 at tss1 (32-bit, available)
    dw 0x67, tss0, 0x8900, 0
    dw 0x67, tss1, 0x8900, 0
    ; 38: call gate, DPL 3, 32-bit, 1 parameter, to 08:gate_target
    dw gate_target, 0x08, 0xEC01, 0
gdt_end:
gdt_desc:
    dw gdt_end - gdt - 1
    dd gdt

idt:
    times 0x40 dq 0
    dw 0, 0x30, 0x8500, 0       ; 40h: task gate to TSS 1
    dw int41, 0x08, 0xEF00, 0   ; 41h: trap gate, DPL 3
idt_end:
idt_desc:
    dw idt_end - idt - 1
    dd idt

align 16
tss0:
    dd 0                        ; back link
    dd 0x9000, 0x10             ; ESP0, SS0
    times 0x68 - 12 db 0
tss1:
    dd 0
    dd 0, 0, 0, 0, 0, 0         ; ESP0..SS2
    dd 0                        ; CR3
    dd task1                    ; EIP
    dd 0x2                      ; EFLAGS
    dd 0, 0, 0, 0               ; EAX ECX EDX EBX
    dd 0x8800, 0, 0, 0          ; ESP EBP ESI EDI
    dd 0x10, 0x08, 0x10, 0x10, 0x10, 0x10 ; ES CS SS DS FS GS
    dd 0                        ; LDT
    dd 0                        ; T, I/O map base
