; Virtual-8086 mode extensions (CR4.VME). Ring 0 IRETs to V86 code at
; 2000:0000 with IOPL 0 and IF set. The TSS's interrupt redirection bitmap
; sends INT 21h back to the program's own vector table (2000:h21) and
; INT 30h (bit set) to the IDT. A #GP monitor logs every fault at 1000h,
; 16 bytes each: opcode byte, IP, error code, EFLAGS image; count at F00h.
; It skips the instruction (2 bytes for CD and 66 opcodes, else 1), sets
; VIP in the frame on the first INT 30h, and on the first HLT clears VIP,
; sets IOPL 3 and resumes; the second HLT ends the test in ring 0.
; The V86 program stores what PUSHF shows at 800h-808h; h21 stores the
; pushed FLAGS and its own PUSHF at 820h + 4*call; the INT 30h gate
; handler stores 30h at 900h and the EFLAGS image at 904h.
bits 16
org 0x7c00
%include "pm-entry.inc"
%include "ring3-tss.inc"
    enter_pm32 0x9000
    load_tss
    mov eax, cr4
    or eax, 1                   ; VME
    mov cr4, eax
    copy_v86_code
    mov dword [0x21 * 4], 0x20000000 + (h21 - v86_code)
    push dword 0                ; GS
    push dword 0                ; FS
    push dword 0                ; DS
    push dword 0                ; ES
    push dword 0x3000           ; SS
    push dword 0xfffe           ; SP
    push dword 0x00020202       ; VM, IF, IOPL 0
    push dword 0x2000           ; CS
    push dword 0                ; IP
    iretd

gp_handler:
    push eax
    push ebx
    push ecx
    push edx
    push edi
    mov ax, 0x10
    mov ds, ax
    mov ebx, [0xf00]
    shl ebx, 4
    lea edi, [0x1000 + ebx]
    movzx eax, word [esp + 28]  ; CS
    shl eax, 4
    add eax, [esp + 24]         ; + IP
    movzx ecx, byte [eax]
    mov [edi], ecx
    mov eax, [esp + 24]
    mov [edi + 4], eax
    mov eax, [esp + 20]
    mov [edi + 8], eax
    mov eax, [esp + 32]
    mov [edi + 12], eax
    inc dword [0xf00]
    mov edx, 1
    cmp cl, 0xf4
    je .hlt
    cmp cl, 0x66
    je .two
    cmp cl, 0xcd
    jne .skip
    cmp dword [0xf04], 0
    jne .two
    or dword [esp + 32], 0x100000   ; VIP: a virtual interrupt is pending
.two:
    mov edx, 2
.skip:
    add [esp + 24], edx
    pop edi
    pop edx
    pop ecx
    pop ebx
    pop eax
    add esp, 4
    iretd
.hlt:
    cmp dword [0xf04], 0
    jne .end
    mov dword [0xf04], 1
    mov eax, [esp + 32]
    and eax, ~0x100000
    or eax, 0x3000              ; IOPL 3
    mov [esp + 32], eax
    jmp .skip
.end:
    hlt

int30_handler:
    push eax
    mov ax, 0x10
    mov ds, ax
    mov dword [0x900], 0x30
    mov eax, [esp + 12]         ; EFLAGS image
    mov [0x904], eax
    pop eax
    iretd

bits 16
v86_code:
    sti                         ; VIF = 1
    pushf
    pop ax
    mov [0x800], ax
    int 0x21                    ; redirected: VIF cleared in the handler
    pushf
    pop ax
    mov [0x804], ax             ; IRET gave VIF back
    cli                         ; VIF = 0
    pushf
    pop ax
    mov [0x806], ax
    push word 0x0200
    popf                        ; VIF = 1 from IF
    pushf
    pop ax
    mov [0x808], ax
    int 0x30                    ; bit set, IOPL 0: #GP, the monitor sets VIP
    cli                         ; allowed with VIP
    sti                         ; VIP: #GP
    push word 0x0200
    popf                        ; IF while VIP: #GP
    add sp, 2
    push word 0x0000
    popf                        ; IF clear: allowed
    push word 0x0100
    popf                        ; TF: #GP
    add sp, 2
    pushfd                      ; 32-bit form: #GP
    push word 0x0200
    push cs
    push word after_iret - v86_code
    iret                        ; IF while VIP: #GP
after_iret:
    add sp, 6
    hlt                         ; #GP: the monitor sets IOPL 3
    int 0x30                    ; IOPL 3, bit set: the IDT gate
    int 0x21                    ; IOPL 3, bit clear: redirected, IF cleared
    hlt                         ; #GP: the end
h21:
    push bp
    mov bp, sp
    mov si, [0x80e]
    add word [0x80e], 4
    mov ax, [bp + 6]            ; FLAGS pushed by INT
    mov [0x820 + si], ax
    pushf
    pop ax
    mov [0x822 + si], ax
    pop bp
    iret
v86_end:

bits 32
gdt_with_tss

idt_gp 0x30, int30_handler

tss_head 0x88                  ; I/O map base; redirection bitmap below
    times 6 db 0                ; vectors 00-2F: redirected
    db 0x01                     ; vector 30: to the IDT
    times 32 - 7 db 0
    times 32 db 0               ; ports 000-0FF allowed
    db 0xff
tss_end:
