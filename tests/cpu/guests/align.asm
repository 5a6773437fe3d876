; Alignment check (#AC) and WAIT's #NM. Ring 0 sets CR0.AM and EFLAGS.AC
; (a misaligned store there must not fault), then runs ring-3 code with
; AC set: aligned accesses pass; misaligned word, dword, read-modify-write
; and qword accesses (FILD m64, CMPXCHG8B) raise #AC(0) at the faulting
; instruction without a side effect; the same store with AC clear, then
; with AM clear, passes. Back in ring 0, WAIT with TS alone runs and with
; MP and TS raises #NM.
; Results: fault log at 1000h (16 bytes a fault: EIP, error code, vector,
; CS; the count at F00h), the expected EIPs at 1800h, data at 3000h
; (see test-x86-sys.c), EAX after the faulting load at 3020h.
bits 16
org 0x7c00
%include "pm-entry.inc"
%include "ring3-tss.inc"
    enter_pm32 0x9000
    load_tss
    mov dword [0xf00], 0
    mov dword [0x1800], f1
    mov dword [0x1804], f2
    mov dword [0x1808], f3
    mov dword [0x180c], f4
    mov dword [0x1810], f5
    mov dword [0x1814], f6
    mov dword [0x3000], 0       ; a fast TLB entry for the data page
    mov eax, cr0
    or eax, 0x40000             ; AM
    and eax, ~0x0e              ; MP, EM, TS clear
    mov cr0, eax
    fninit
    pushfd
    or dword [esp], 0x40000     ; AC
    popfd
    mov dword [0x3025], 0x33333333 ; CPL 0: never checked
    push dword 0x23             ; SS
    push dword 0x6000           ; ESP
    push dword 0x40002          ; EFLAGS: AC
    push dword 0x1b             ; CS
    push dword user
    iretd

user:
    mov ax, 0x23
    mov ds, ax
    mov es, ax
    mov dword [0x3000], 0x11111111 ; aligned: no fault
    mov eax, [0x3000]
    mov [0x3008], eax
    mov word [0x3002], 0x2222
    mov ebp, r1
f1: mov word [0x3041], 0xbeef   ; misaligned word store
r1:
    mov eax, 0x5a5a5a5a
    mov ebp, r2
f2: mov eax, [0x3013]           ; misaligned dword load
r2:
    mov [0x3020], eax
    mov ebp, r3
f3: add dword [0x3045], 1       ; misaligned read-modify-write
r3:
    mov ebp, r4
f4: fild qword [0x304c]         ; qword at 4 mod 8
r4:
    mov ebp, r5
f5: cmpxchg8b [0x3054]          ; qword at 4 mod 8
r5:
    push word 0x7777            ; word at 5FFEh: aligned, no fault
    add esp, 2
    mov esp, 0x5ffe
    mov ebp, r6
f6: push dword 0x12345678       ; dword at 5FFAh: misaligned stack
r6:
    mov esp, 0x6000
    pushfd
    and dword [esp], ~0x40000   ; AC clear: no check
    popfd
    mov word [0x3011], 0x1234
    pushfd
    or dword [esp], 0x40000
    popfd
    int 0x40                    ; ring 0 clears CR0.AM
    mov dword [0x3019], 0x22222222 ; AM clear: no check
    int 0x41                    ; ring 0: the WAIT tests, then HLT

int40:
    mov eax, cr0
    and eax, ~0x40000
    mov cr0, eax
    iretd

int41:
    mov ax, 0x10
    mov ds, ax
    mov eax, cr0
    or eax, 8                   ; TS alone: WAIT runs
    mov cr0, eax
    wait
    mov dword [0x3030], 1
    or eax, 2                   ; MP and TS: #NM
    mov cr0, eax
    mov dword [0x1818], f7
    mov ebp, r7
f7: wait
r7:
    hlt

; #AC: logs EIP, error code, 17 and CS; resumes at EBP.
ac_handler:
    push eax
    push ebx
    mov ax, 0x10
    mov ds, ax
    mov ebx, [0xf00]
    shl ebx, 4
    mov eax, [esp + 12]
    mov [0x1000 + ebx], eax
    mov eax, [esp + 8]
    mov [0x1004 + ebx], eax
    mov dword [0x1008 + ebx], 17
    mov eax, [esp + 16]
    mov [0x100c + ebx], eax
    inc dword [0xf00]
    mov [esp + 12], ebp
    mov ax, 0x23
    mov ds, ax
    pop ebx
    pop eax
    add esp, 4
    iretd

; #NM (no error code): logs EIP, 0, 7 and CS; resumes at EBP (ring 0).
nm_handler:
    push ebx
    mov ebx, [0xf00]
    shl ebx, 4
    push eax
    mov eax, [esp + 8]
    mov [0x1000 + ebx], eax
    mov dword [0x1004 + ebx], 0
    mov dword [0x1008 + ebx], 7
    mov eax, [esp + 12]
    mov [0x100c + ebx], eax
    inc dword [0xf00]
    mov [esp + 8], ebp
    pop eax
    pop ebx
    iretd

; Anything else: log vector FFh and stop.
other:
    mov ax, 0x10
    mov ds, ax
    mov dword [0x3038], 0xff
    hlt

gdt_with_tss

idt:
%assign v 0
%rep 0x42
%if v == 7
    dw nm_handler, 0x08, 0x8E00, 0
%elif v == 17
    dw ac_handler, 0x08, 0x8E00, 0
%elif v == 0x40
    dw int40, 0x08, 0xEE00, 0   ; DPL 3
%elif v == 0x41
    dw int41, 0x08, 0xEE00, 0   ; DPL 3
%else
    dw other, 0x08, 0x8E00, 0
%endif
%assign v v + 1
%endrep
idt_end:
idt_desc:
    dw idt_end - idt - 1
    dd idt

tss_head 0x68
tss_end:
