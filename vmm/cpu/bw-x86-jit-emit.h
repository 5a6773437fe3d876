/* bw-x86-jit-emit.h: the few x86-64 instruction forms the translator
 * (bw-x86-jit.c) writes, as bytes.
 *
 * The generated code keeps the guest CPU pointer in RBX and reaches every
 * guest register and field as [rbx + disp32]; EAX, ECX, EDX and ESI are
 * scratch. Only the encodings used are here, each named by what it does.
 */
#pragma once

#include <stdint.h>
#include <string.h>

typedef struct
{
  uint8_t *p;   /* next byte */
  uint8_t *end; /* the translation stops (and is dropped) past this */
} BwJitOut;

enum
{
  JR_AX = 0,
  JR_CX = 1,
  JR_DX = 2,
  JR_BX = 3,
  JR_SI = 6,
  JR_DI = 7,
};

static inline void
jo_byte (BwJitOut *o, uint8_t b)
{
  if (o->p < o->end)
    *o->p = b;
  o->p++;
}

static inline void
jo_bytes (BwJitOut *o, const void *src, unsigned n)
{
  const uint8_t *s = src;
  for (unsigned k = 0; k < n; k++)
    jo_byte (o, s[k]);
}

static inline void
jo_u32 (BwJitOut *o, uint32_t v)
{
  jo_bytes (o, &v, 4);
}

static inline void
jo_u64 (BwJitOut *o, uint64_t v)
{
  jo_bytes (o, &v, 8);
}

/* ModRM for [rbx + disp] with register field reg. */
static inline void
jo_rbx_mem (BwJitOut *o, unsigned reg, int32_t disp)
{
  if (disp >= -128 && disp <= 127)
    {
      jo_byte (o, 0x43 | (reg << 3));
      jo_byte (o, (uint8_t) disp);
    }
  else
    {
      jo_byte (o, 0x83 | (reg << 3));
      jo_u32 (o, (uint32_t) disp);
    }
}

/* mov r32, [rbx + disp] */
static inline void
jo_load32 (BwJitOut *o, unsigned r, int32_t disp)
{
  jo_byte (o, 0x8b);
  jo_rbx_mem (o, r, disp);
}

/* A two-byte opcode 0F op with r and [rbx + disp]. */
static inline void
jo_0f_rbx (BwJitOut *o, uint8_t op, unsigned r, int32_t disp)
{
  jo_byte (o, 0x0f);
  jo_byte (o, op);
  jo_rbx_mem (o, r, disp);
}

/* movzx r32, byte [rbx + disp] */
static inline void
jo_load8 (BwJitOut *o, unsigned r, int32_t disp)
{
  jo_0f_rbx (o, 0xb6, r, disp);
}

/* movzx r32, word [rbx + disp] */
static inline void
jo_load16 (BwJitOut *o, unsigned r, int32_t disp)
{
  jo_0f_rbx (o, 0xb7, r, disp);
}

/* mov [rbx + disp], r32 */
static inline void
jo_store32 (BwJitOut *o, int32_t disp, unsigned r)
{
  jo_byte (o, 0x89);
  jo_rbx_mem (o, r, disp);
}

/* mov dword [rbx + disp], imm32 */
static inline void
jo_store32_imm (BwJitOut *o, int32_t disp, uint32_t imm)
{
  jo_byte (o, 0xc7);
  jo_rbx_mem (o, 0, disp);
  jo_u32 (o, imm);
}

/* add dword [rbx + disp], imm32 (qword with wide) */
static inline void
jo_add_mem_imm (BwJitOut *o, int32_t disp, int32_t imm, int wide)
{
  if (wide)
    jo_byte (o, 0x48);
  if (imm >= -128 && imm <= 127)
    {
      jo_byte (o, 0x83);
      jo_rbx_mem (o, 0, disp);
      jo_byte (o, (uint8_t) imm);
    }
  else
    {
      jo_byte (o, 0x81);
      jo_rbx_mem (o, 0, disp);
      jo_u32 (o, (uint32_t) imm);
    }
}

/* cmp byte [rbx + disp], 0 */
static inline void
jo_cmp_mem8_zero (BwJitOut *o, int32_t disp)
{
  jo_byte (o, 0x80);
  jo_rbx_mem (o, 7, disp);
  jo_byte (o, 0);
}

/* test byte [rbx + disp], imm8 */
static inline void
jo_test_mem8 (BwJitOut *o, int32_t disp, uint8_t imm)
{
  jo_byte (o, 0xf6);
  jo_rbx_mem (o, 0, disp);
  jo_byte (o, imm);
}

/* The ALU operations by their x86 number (ADD 0, OR 1, ADC 2, SBB 3,
 * AND 4, SUB 5, XOR 6, CMP 7), as the guest encodes them too. */

/* op dst32, src32 */
static inline void
jo_alu_rr (BwJitOut *o, unsigned kind, unsigned dst, unsigned src)
{
  jo_byte (o, (uint8_t) (kind * 8 + 1));
  jo_byte (o, 0xc0 | (src << 3) | dst);
}

/* op r32, imm32 */
static inline void
jo_alu_ri (BwJitOut *o, unsigned kind, unsigned r, uint32_t imm)
{
  if ((int32_t) imm >= -128 && (int32_t) imm <= 127)
    {
      jo_byte (o, 0x83);
      jo_byte (o, 0xc0 | (kind << 3) | r);
      jo_byte (o, (uint8_t) imm);
    }
  else
    {
      jo_byte (o, 0x81);
      jo_byte (o, 0xc0 | (kind << 3) | r);
      jo_u32 (o, imm);
    }
}

/* op r32, [rbx + disp] */
static inline void
jo_alu_rm (BwJitOut *o, unsigned kind, unsigned r, int32_t disp)
{
  jo_byte (o, (uint8_t) (kind * 8 + 3));
  jo_rbx_mem (o, r, disp);
}

/* test a32, b32 */
static inline void
jo_test_rr (BwJitOut *o, unsigned a, unsigned b)
{
  jo_byte (o, 0x85);
  jo_byte (o, 0xc0 | (b << 3) | a);
}

/* test r32, imm32 */
static inline void
jo_test_ri (BwJitOut *o, unsigned r, uint32_t imm)
{
  jo_byte (o, 0xf7);
  jo_byte (o, 0xc0 | r);
  jo_u32 (o, imm);
}

/* inc r32 / dec r32 (FF /0, FF /1) */
static inline void
jo_incdec (BwJitOut *o, unsigned r, int dec)
{
  jo_byte (o, 0xff);
  jo_byte (o, 0xc0 | ((dec ? 1 : 0) << 3) | r);
}

/* mov dst32, src32 */
static inline void
jo_mov_rr (BwJitOut *o, unsigned dst, unsigned src)
{
  jo_byte (o, 0x89);
  jo_byte (o, 0xc0 | (src << 3) | dst);
}

/* mov r32, imm32 */
static inline void
jo_mov_ri (BwJitOut *o, unsigned r, uint32_t imm)
{
  jo_byte (o, 0xb8 + r);
  jo_u32 (o, imm);
}

/* mov r64, imm64 */
static inline void
jo_mov_ri64 (BwJitOut *o, unsigned r, uint64_t imm)
{
  jo_byte (o, 0x48);
  jo_byte (o, 0xb8 + r);
  jo_u64 (o, imm);
}

/* lea dst32, [base64 + index64 * (1 << scale) + disp32] */
static inline void
jo_lea_bis (BwJitOut *o, unsigned dst, unsigned base, unsigned index, unsigned scale,
            int32_t disp)
{
  jo_byte (o, 0x8d);
  jo_byte (o, 0x84 | (dst << 3));
  jo_byte (o, (uint8_t) ((scale << 6) | (index << 3) | base));
  jo_u32 (o, (uint32_t) disp);
}

/* shl/shr r32, imm8 (C1 /4, C1 /5) */
static inline void
jo_shift_ri (BwJitOut *o, unsigned r, unsigned ext, uint8_t count)
{
  jo_byte (o, 0xc1);
  jo_byte (o, 0xc0 | (ext << 3) | r);
  jo_byte (o, count);
}

/* imul r32, r32, imm32 */
static inline void
jo_imul_rri (BwJitOut *o, unsigned dst, unsigned src, uint32_t imm)
{
  jo_byte (o, 0x69);
  jo_byte (o, 0xc0 | (dst << 3) | src);
  jo_u32 (o, imm);
}

/* imul r32, [rbx + disp] */
static inline void
jo_imul_rm (BwJitOut *o, unsigned r, int32_t disp)
{
  jo_0f_rbx (o, 0xaf, r, disp);
}

/* mov word [rbx + disp], r16 */
static inline void
jo_store16 (BwJitOut *o, int32_t disp, unsigned r)
{
  jo_byte (o, 0x66);
  jo_byte (o, 0x89);
  jo_rbx_mem (o, r, disp);
}

/* movzx ecx, cl */
static inline void
jo_movzx_cx_cl (BwJitOut *o)
{
  static const uint8_t b[] = { 0x0f, 0xb6, 0xc9 };
  jo_bytes (o, b, sizeof b);
}

/* op r, [rbx + rcx + disp] (r 64-bit with wide): 8B load, 3B cmp */
static inline void
jo_rbx_rcx (BwJitOut *o, uint8_t opcode, unsigned r, int32_t disp, int wide)
{
  if (wide)
    jo_byte (o, 0x48);
  jo_byte (o, opcode);
  jo_byte (o, 0x84 | (r << 3));
  jo_byte (o, 0x0b); /* scale 1, index rcx, base rbx */
  jo_u32 (o, (uint32_t) disp);
}

/* lea edx, [rax + disp8] */
static inline void
jo_lea_dx_ax (BwJitOut *o, int8_t disp)
{
  jo_byte (o, 0x8d);
  jo_byte (o, 0x50);
  jo_byte (o, (uint8_t) disp);
}

/* Accesses to [rdx + rax] (the host page pointer plus the offset):
 * load: 8B (32), 0F B7 (movzx 16), 0F B6 (movzx 8); store: 89, 66 89, 88. */
static inline void
jo_host_access (BwJitOut *o, const uint8_t *opcode, unsigned n, unsigned r)
{
  jo_bytes (o, opcode, n);
  jo_byte (o, 0x04 | (r << 3));
  jo_byte (o, 0x02); /* index rax, base rdx */
}

/* add rdx, rax: RDX becomes the host address of an access. */
static inline void
jo_host_addr (BwJitOut *o)
{
  static const uint8_t b[] = { 0x48, 0x01, 0xc2 };
  jo_bytes (o, b, sizeof b);
}

/* Opcode bytes then ModRM [rdx] with register field r. */
static inline void
jo_at_rdx (BwJitOut *o, const uint8_t *opcode, unsigned n, unsigned r)
{
  jo_bytes (o, opcode, n);
  jo_byte (o, 0x02 | (r << 3));
}

/* setc r8 (only AL, CL, DL, BL without REX) */
static inline void
jo_setc (BwJitOut *o, unsigned r)
{
  jo_byte (o, 0x0f);
  jo_byte (o, 0x92);
  jo_byte (o, 0xc0 | r);
}

/* call rax after mov rax, fn */
static inline void
jo_call (BwJitOut *o, const void *fn)
{
  jo_mov_ri64 (o, JR_AX, (uint64_t) (uintptr_t) fn);
  jo_byte (o, 0xff);
  jo_byte (o, 0xd0);
}

/* mov rdi, rbx */
static inline void
jo_arg_cpu (BwJitOut *o)
{
  static const uint8_t b[] = { 0x48, 0x89, 0xdf };
  jo_bytes (o, b, sizeof b);
}

/* jcc rel32 / jmp rel32 with the displacement left to jo_patch; returns
 * the position of the displacement. cc: the x86 condition number. */
static inline uint8_t *
jo_jcc (BwJitOut *o, unsigned cc)
{
  jo_byte (o, 0x0f);
  jo_byte (o, (uint8_t) (0x80 + cc));
  uint8_t *at = o->p;
  jo_u32 (o, 0);
  return at;
}

static inline uint8_t *
jo_jmp (BwJitOut *o)
{
  jo_byte (o, 0xe9);
  uint8_t *at = o->p;
  jo_u32 (o, 0);
  return at;
}

/* Points the rel32 at `at` to `target`. */
static inline void
jo_patch (BwJitOut *o, uint8_t *at, const uint8_t *target)
{
  if (at + 4 > o->end)
    return;
  int32_t rel = (int32_t) (target - (at + 4));
  memcpy (at, &rel, 4);
}
