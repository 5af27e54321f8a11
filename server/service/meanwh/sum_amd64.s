#include "textflag.h"

// Constants of sumQuadsAVX2, each 32 bytes (the same 16 in both lanes
// where a table is looked up with VPSHUFB, which works lane by lane).

// lutLo and lutHi: a character is outside the base64 alphabet when
// lutLo[its low nibble] AND lutHi[its high nibble] is not zero.
DATA lutLo<>+0(SB)/8, $0x1111111111111115
DATA lutLo<>+8(SB)/8, $0x1A1B1B1B1A131111
DATA lutLo<>+16(SB)/8, $0x1111111111111115
DATA lutLo<>+24(SB)/8, $0x1A1B1B1B1A131111
GLOBL lutLo<>(SB), RODATA|NOPTR, $32

DATA lutHi<>+0(SB)/8, $0x0804080402011010
DATA lutHi<>+8(SB)/8, $0x1010101010101010
DATA lutHi<>+16(SB)/8, $0x0804080402011010
DATA lutHi<>+24(SB)/8, $0x1010101010101010
GLOBL lutHi<>(SB), RODATA|NOPTR, $32

// lutRoll: what to add to a character to get its 6-bit value, by its high
// nibble ('/' has its own entry, 1).
DATA lutRoll<>+0(SB)/8, $0xB9B9BFBF04131000
DATA lutRoll<>+8(SB)/8, $0x0000000000000000
DATA lutRoll<>+16(SB)/8, $0xB9B9BFBF04131000
DATA lutRoll<>+24(SB)/8, $0x0000000000000000
GLOBL lutRoll<>(SB), RODATA|NOPTR, $32

DATA mask2F<>+0(SB)/8, $0x2F2F2F2F2F2F2F2F
DATA mask2F<>+8(SB)/8, $0x2F2F2F2F2F2F2F2F
DATA mask2F<>+16(SB)/8, $0x2F2F2F2F2F2F2F2F
DATA mask2F<>+24(SB)/8, $0x2F2F2F2F2F2F2F2F
GLOBL mask2F<>(SB), RODATA|NOPTR, $32

// merge6: pairs of 6-bit values a, b into a*64 + b (VPMADDUBSW).
DATA merge6<>+0(SB)/8, $0x0140014001400140
DATA merge6<>+8(SB)/8, $0x0140014001400140
DATA merge6<>+16(SB)/8, $0x0140014001400140
DATA merge6<>+24(SB)/8, $0x0140014001400140
GLOBL merge6<>(SB), RODATA|NOPTR, $32

// merge12: pairs of 12-bit values into one of 24 bits, the quad's three
// bytes (VPMADDWD).
DATA merge12<>+0(SB)/8, $0x0001100000011000
DATA merge12<>+8(SB)/8, $0x0001100000011000
DATA merge12<>+16(SB)/8, $0x0001100000011000
DATA merge12<>+24(SB)/8, $0x0001100000011000
GLOBL merge12<>(SB), RODATA|NOPTR, $32

// func sumQuadsAVX2(q []byte) (sum uint64, bad uint32)
// Sums the bytes the base64 quads of q decode to, 32 characters at a
// time; len(q) is a multiple of 32. bad is not zero when a character is
// outside the alphabet (the sum is then meaningless).
TEXT ·sumQuadsAVX2(SB), NOSPLIT, $0-36
	MOVQ q_base+0(FP), SI
	MOVQ q_len+8(FP), CX
	SHRQ $5, CX
	VMOVDQU lutLo<>(SB), Y8
	VMOVDQU lutHi<>(SB), Y9
	VMOVDQU lutRoll<>(SB), Y10
	VMOVDQU mask2F<>(SB), Y11
	VMOVDQU merge6<>(SB), Y12
	VMOVDQU merge12<>(SB), Y13
	VPXOR Y14, Y14, Y14 // zero, for VPSADBW
	VPXOR Y6, Y6, Y6    // the sums, four of 64 bits
	VPXOR Y7, Y7, Y7    // the characters outside the alphabet
	TESTQ CX, CX
	JZ done

loop:
	VMOVDQU (SI), Y0
	VPSRLD $4, Y0, Y1
	VPAND Y11, Y1, Y1   // high nibbles (bit 5 is ignored by VPSHUFB)
	VPAND Y11, Y0, Y2   // low nibbles
	VPSHUFB Y1, Y9, Y3
	VPSHUFB Y2, Y8, Y4
	VPAND Y3, Y4, Y4
	VPOR Y4, Y7, Y7
	VPCMPEQB Y11, Y0, Y5 // '/'
	VPADDB Y5, Y1, Y5
	VPSHUFB Y5, Y10, Y5
	VPADDB Y5, Y0, Y0    // 6-bit values
	VPMADDUBSW Y12, Y0, Y0
	VPMADDWD Y13, Y0, Y0 // each quad's three bytes in 32 bits
	VPSADBW Y14, Y0, Y0
	VPADDQ Y0, Y6, Y6
	ADDQ $32, SI
	DECQ CX
	JNZ loop

done:
	VEXTRACTI128 $1, Y6, X0
	VPADDQ X0, X6, X6
	VPSHUFD $0x4E, X6, X0
	VPADDQ X0, X6, X6
	MOVQ X6, AX
	MOVQ AX, sum+24(FP)
	VPTEST Y7, Y7
	SETNE BX
	MOVBLZX BX, BX
	MOVL BX, bad+32(FP)
	VZEROUPPER
	RET
