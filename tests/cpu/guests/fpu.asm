; x87: arithmetic, conversions, rounding, compares, exceptions (masked),
; stack underflow and packed BCD, in real mode at 0000:1000. Results at
; 2000h (see test-x86-cpu.c).
bits 16
org 0x1000
    finit
    fld dword [a]               ; 1.5
    fld dword [b]               ; 2.25
    fmulp st1, st0              ; 3.375
    fld1
    faddp st1, st0              ; 4.375
    fsqrt
    fstp qword [0x2000]         ; sqrt(4.375)
    fild word [i]
    fistp dword [0x2008]        ; -7
    fldpi
    fistp word [0x200c]         ; 3
    fld dword [a]
    fcomp dword [b]             ; 1.5 < 2.25: C0
    fnstsw ax
    mov [0x200e], ax
    fld qword [c]
    fistp word [0x2010]         ; 2.5 rounds to even: 2
    fldz
    fld1
    fdiv st0, st1               ; 1/0: ZE (masked), +inf
    fxam                        ; infinity: C2 C0
    fnstsw [0x2012]
    fstp st0
    fstp st0
    fstp dword [0x2014]         ; empty: IE, SF, stores the indefinite
    fnstsw [0x2018]
    fnclex
    fild word [n]
    fbstp [0x2020]              ; 1234 as packed BCD
    fld dword [b]
    fld dword [a]
    fcomip st0, st1             ; 1.5 < 2.25: CF
    fstp st0
    lahf
    mov [0x201a], ah
    fld dword [a]
    fchs
    fabs
    fadd dword [b]              ; 3.75
    fstp dword [0x201c]
    fnstcw [0x202a]
    hlt
a:  dd 1.5
b:  dd 2.25
c:  dq 2.5
i:  dw -7
n:  dw 1234
