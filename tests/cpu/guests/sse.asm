; MMX/SSE system behaviour in 32-bit protected mode: #UD without
; CR4.OSFXSR and with CR0.EM, #NM with CR0.TS, SIMD exceptions as #XM with
; CR4.OSXMMEXCPT and #UD without, #GP for reserved MXCSR bits and
; misaligned 16-byte operands, FXSAVE/FXRSTOR round trip, and MMX registers
; as the x87 mantissas (TOP, tags, EMMS). The #UD, #NM, #GP and #XM
; handlers record the vector and resume after the faulting instruction.
; Results from 3000h (see test-x86-cpu.c); 0FFh means no fault.
bits 16
org 0x7c00
%include "pm-entry.inc"
    enter_pm32 0x9000

RES equ 0x3000

; TRY slot, {instruction}: runs it and stores the vector it raised.
%macro TRY 2
    mov byte [vec], 0xff
    mov dword [resume], %%after
    %2
%%after:
    mov al, [vec]
    mov [RES + %1], al
%endmacro

    fninit
    ; CR4.OSFXSR clear: SSE is undefined, MMX is not.
    TRY 0x00, {xorps xmm0, xmm0}
    TRY 0x0e, {pxor mm0, mm0}
    emms
    mov eax, cr4
    or eax, 0x200                           ; OSFXSR
    mov cr4, eax
    TRY 0x01, {xorps xmm0, xmm0}

    ; CR0.TS: #NM for SSE, MMX and FXSAVE.
    mov eax, cr0
    or eax, 8
    mov cr0, eax
    TRY 0x02, {addps xmm0, xmm1}
    TRY 0x03, {fxsave [fxbuf]}
    TRY 0x04, {paddb mm0, mm1}
    clts

    ; CR0.EM: #UD for SSE and MMX, #NM for FXSAVE.
    mov eax, cr0
    or eax, 4
    mov cr0, eax
    TRY 0x05, {addps xmm0, xmm1}
    TRY 0x06, {paddb mm0, mm1}
    TRY 0x07, {fxsave [fxbuf]}
    mov eax, cr0
    and eax, ~4
    mov cr0, eax

    ; 1.0 / 0.0 with ZE unmasked: #UD without OSXMMEXCPT, #XM with it;
    ; the destination keeps its value, MXCSR records ZE.
    movss xmm1, [one]
    xorps xmm2, xmm2
    ldmxcsr [mx_ze_unmasked]
    TRY 0x08, {divss xmm1, xmm2}
    mov eax, cr4
    or eax, 0x400                           ; OSXMMEXCPT
    mov cr4, eax
    TRY 0x09, {divss xmm1, xmm2}
    stmxcsr [RES + 0x10]
    movd [RES + 0x14], xmm1
    ldmxcsr [mx_default]

    ; Reserved MXCSR bits and alignment.
    TRY 0x0a, {ldmxcsr [mx_reserved]}
    TRY 0x0b, {movaps xmm0, [vec_data + 4]}
    TRY 0x0c, {movups xmm0, [vec_data + 4]}

    ; FXSAVE, clobber, FXRSTOR.
    fldpi
    movups xmm3, [vec_data]
    ldmxcsr [mx_state]
    fxsave [fxbuf]
    fninit
    xorps xmm3, xmm3
    ldmxcsr [mx_default]
    fxrstor [fxbuf]
    stmxcsr [RES + 0x18]
    movups [RES + 0x20], xmm3
    fstp qword [RES + 0x30]
    ; An image with a reserved MXCSR bit: #GP, nothing restored.
    mov esi, fxbuf
    mov edi, fxbuf2
    mov ecx, 128
    rep movsd
    or dword [fxbuf2 + 24], 0x10000
    TRY 0x0d, {fxrstor [fxbuf2]}
    ldmxcsr [mx_default]

    ; MMX on the x87 registers. FLD1 puts 1.0 in physical register 7;
    ; any MMX instruction sets TOP to 0 and all tags valid, so MM7 is its
    ; mantissa.
    fninit
    fld1
    movq [RES + 0x38], mm7
    movq mm0, [pattern]
    fnstenv [RES + 0x40]                    ; TOP 0, tag word 0
    emms
    fnstenv [RES + 0x60]                    ; tag word FFFFh
    movq mm0, [pattern]
    fnsave [RES + 0x80]                     ; ST0 = R0: pattern, exponent FFFFh
    emms
    fninit
    ; The FXSAVE image for the C side to inspect.
    mov esi, fxbuf
    mov edi, 0x3200
    mov ecx, 128
    rep movsd
    hlt

h_ud:
    mov byte [vec], 6
    jmp resume_after
h_nm:
    mov byte [vec], 7
    jmp resume_after
h_gp:
    add esp, 4                              ; error code
    mov byte [vec], 13
    jmp resume_after
h_xm:
    mov byte [vec], 19
resume_after:
    mov eax, [resume]
    mov [esp], eax
    iret

align 4
vec:            dd 0
resume:         dd 0
one:            dd 1.0
mx_default:     dd 0x1f80
mx_ze_unmasked: dd 0x1d80
mx_reserved:    dd 0x11f80
mx_state:       dd 0x3fc0                   ; round down, DAZ
pattern:        dq 0x0123456789abcdef
align 16
vec_data:       dd 0x11111111, 0x22222222, 0x33333333, 0x44444444, 0x55555555
align 16
fxbuf:          times 512 db 0
fxbuf2:         times 512 db 0

align 8
gdt:
    dq 0
    dq 0x00CF9A000000FFFF                   ; 0x08: code, 4 GiB, 32-bit
    dq 0x00CF92000000FFFF                   ; 0x10: data, 4 GiB
gdt_end:
gdt_desc:
    dw gdt_end - gdt - 1
    dd gdt

%macro GATE 1
    dw %1, 0x08, 0x8E00, 0
%endmacro
idt:
    times 6 dq 0
    GATE h_ud                               ; 6
    GATE h_nm                               ; 7
    times 5 dq 0
    GATE h_gp                               ; 13
    times 5 dq 0
    GATE h_xm                               ; 19
idt_end:
idt_desc:
    dw idt_end - idt - 1
    dd idt
