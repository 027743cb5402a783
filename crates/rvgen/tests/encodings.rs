//! Encoder results compared with words produced by the GNU assembler
//! (`riscv64-linux-gnu-as -march=rv64gc_zba_zbb_zbs`) for the text in the
//! comment of each row.

use oxemu_rvgen::encode::*;

const A0: u8 = 10;
const A1: u8 = 11;
const A2: u8 = 12;

#[test]
fn base_and_extension_words_match_the_assembler() {
    use opcode::*;
    let rows: &[(u32, u32, &str)] = &[
        (encode_r(OP, 0, 0, A0, A1, A2), 0x00c58533, "add a0,a1,a2"),
        (
            encode_r(OP, 0, 0x20, A0, A1, A2),
            0x40c58533,
            "sub a0,a1,a2",
        ),
        (
            encode_r(OP, 2, 1, 19, 29, 30),
            0x03eea9b3,
            "mulhsu s3,t4,t5",
        ),
        (
            encode_r(OP_32, 7, 1, 15, 16, 17),
            0x031877bb,
            "remuw a5,a6,a7",
        ),
        (
            encode_r(OP_32, 6, 0x10, 5, 6, 7),
            0x207362bb,
            "sh3add.uw t0,t1,t2",
        ),
        (
            encode_i(OP_IMM_32, 1, A0, A1, 0x080 | 37),
            0x0a55951b,
            "slli.uw a0,a1,37",
        ),
        (
            encode_r(OP, 7, 0x20, A0, A1, A2),
            0x40c5f533,
            "andn a0,a1,a2",
        ),
        (
            encode_i(OP_IMM, 5, A0, A1, 0x600 | 45),
            0x62d5d513,
            "rori a0,a1,45",
        ),
        (
            encode_i(OP_IMM_32, 5, A0, A1, 0x600 | 17),
            0x6115d51b,
            "roriw a0,a1,17",
        ),
        (encode_i(OP_IMM, 1, A0, A1, 0x600), 0x60059513, "clz a0,a1"),
        (
            encode_i(OP_IMM_32, 1, A0, A1, 0x602),
            0x6025951b,
            "cpopw a0,a1",
        ),
        (
            encode_i(OP_IMM, 5, A0, A1, 0x287),
            0x2875d513,
            "orc.b a0,a1",
        ),
        (encode_i(OP_IMM, 5, A0, A1, 0x6b8), 0x6b85d513, "rev8 a0,a1"),
        (
            encode_r(OP_32, 4, 0x04, A0, A1, 0),
            0x0805c53b,
            "zext.h a0,a1",
        ),
        (
            encode_i(OP_IMM, 1, A0, A1, 0x605),
            0x60559513,
            "sext.h a0,a1",
        ),
        (
            encode_i(OP_IMM, 5, A0, A1, 0x480 | 63),
            0x4bf5d513,
            "bexti a0,a1,63",
        ),
        (
            encode_i(OP_IMM, 1, A0, A1, 0x680 | 1),
            0x68159513,
            "binvi a0,a1,1",
        ),
        (
            encode_i(OP_IMM, 0, A0, A1, -2048),
            0x80058513,
            "addi a0,a1,-2048",
        ),
        (
            encode_i(OP_IMM, 3, A0, A1, -1),
            0xfff5b513,
            "sltiu a0,a1,-1",
        ),
        (
            encode_i(OP_IMM, 5, A0, A1, 0x400 | 63),
            0x43f5d513,
            "srai a0,a1,63",
        ),
        (
            encode_i(OP_IMM_32, 5, A0, A1, 0x400 | 31),
            0x41f5d51b,
            "sraiw a0,a1,31",
        ),
        (encode_u(LUI, A0, 0x80000), 0x80000537, "lui a0,0x80000"),
        (encode_u(AUIPC, A0, 0xfffff), 0xfffff517, "auipc a0,0xfffff"),
        (encode_i(LOAD, 0, A0, 9, -1), 0xfff48503, "lb a0,-1(s1)"),
        (
            encode_i(LOAD, 6, A0, 9, 2047),
            0x7ff4e503,
            "lwu a0,2047(s1)",
        ),
        (encode_s(STORE, 3, 9, 31, -8), 0xfff4bc23, "sd t6,-8(s1)"),
        (
            encode_s(STORE, 1, 2, 31, 1023),
            0x3ff11fa3,
            "sh t6,1023(sp)",
        ),
        (encode_b(0, A0, A1, 8), 0x00b50463, "beq a0,a1,.+8"),
        (encode_b(7, 5, 6, 4094), 0x7e62ffe3, "bgeu t0,t1,.+4094"),
        (encode_jal(1, 20), 0x014000ef, "jal ra,.+20"),
        (encode_fence(3, 3), 0x0330000f, "fence rw,rw"),
        (FENCE_I, 0x0000100f, "fence.i"),
        (
            encode_amo(0x02, 3, true, false, A0, A1, 0),
            0x1405b52f,
            "lr.d.aq a0,(a1)",
        ),
        (
            encode_amo(0x03, 2, false, true, A0, A1, A2),
            0x1ac5a52f,
            "sc.w.rl a0,a2,(a1)",
        ),
        (
            encode_amo(0x1c, 3, true, true, A0, A1, A2),
            0xe6c5b52f,
            "amomaxu.d.aqrl a0,a2,(a1)",
        ),
        (
            encode_amo(0x0c, 2, false, false, A0, A1, A2),
            0x60c5a52f,
            "amoand.w a0,a2,(a1)",
        ),
        (
            encode_fp(0x00, 0, 1, A0, A1, A2),
            0x00c59553,
            "fadd.s fa0,fa1,fa2,rtz",
        ),
        (
            encode_fp(0x03, 1, 7, A0, A1, A2),
            0x1ac5f553,
            "fdiv.d fa0,fa1,fa2,dyn",
        ),
        (
            encode_fp(0x0b, 1, 4, A0, A1, 0),
            0x5a05c553,
            "fsqrt.d fa0,fa1,rmm",
        ),
        (
            encode_fp(0x04, 0, 2, A0, A1, A2),
            0x20c5a553,
            "fsgnjx.s fa0,fa1,fa2",
        ),
        (
            encode_fp(0x05, 1, 1, A0, A1, A2),
            0x2ac59553,
            "fmax.d fa0,fa1,fa2",
        ),
        (
            encode_fp(0x08, 0, 2, A0, A1, 1),
            0x4015a553,
            "fcvt.s.d fa0,fa1,rdn",
        ),
        (
            encode_fp(0x08, 1, 0, A0, A1, 0),
            0x42058553,
            "fcvt.d.s fa0,fa1",
        ),
        (
            encode_fp(0x14, 1, 2, A0, A1, A2),
            0xa2c5a553,
            "feq.d a0,fa1,fa2",
        ),
        (
            encode_fp(0x14, 0, 0, A0, A1, A2),
            0xa0c58553,
            "fle.s a0,fa1,fa2",
        ),
        (
            encode_fp(0x18, 1, 3, A0, A1, 3),
            0xc235b553,
            "fcvt.lu.d a0,fa1,rup",
        ),
        (
            encode_fp(0x1a, 1, 0, A0, A1, 1),
            0xd2158553,
            "fcvt.d.wu fa0,a1",
        ),
        (
            encode_fp(0x1a, 0, 0, A0, A1, 2),
            0xd0258553,
            "fcvt.s.l fa0,a1,rne",
        ),
        (
            encode_fp(0x1c, 0, 0, A0, A1, 0),
            0xe0058553,
            "fmv.x.w a0,fa1",
        ),
        (
            encode_fp(0x1c, 1, 1, A0, A1, 0),
            0xe2059553,
            "fclass.d a0,fa1",
        ),
        (
            encode_fp(0x1e, 1, 0, A0, A1, 0),
            0xf2058553,
            "fmv.d.x fa0,a1",
        ),
        (
            encode_r4(NMSUB, 1, 1, A0, A1, A2, 13),
            0x6ac5954b,
            "fnmsub.d fa0,fa1,fa2,fa3,rtz",
        ),
        (
            encode_r4(MADD, 0, 7, 0, 1, 2, 31),
            0xf820f043,
            "fmadd.s ft0,ft1,ft2,ft11,dyn",
        ),
        (
            encode_i(LOAD_FP, 2, A0, 9, -4),
            0xffc4a507,
            "flw fa0,-4(s1)",
        ),
        (
            encode_s(STORE_FP, 3, 2, 27, 504),
            0x1fb13c27,
            "fsd fs11,504(sp)",
        ),
        (
            encode_csr(1, A0, csr::FCSR, A1),
            0x00359573,
            "csrrw a0,fcsr,a1",
        ),
        (
            encode_csr(6, A0, csr::FRM, 3),
            0x0021e573,
            "csrrsi a0,frm,3",
        ),
        (
            encode_csr(7, 0, csr::FFLAGS, 31),
            0x001ff073,
            "csrrci zero,fflags,31",
        ),
    ];
    for &(got, want, text) in rows {
        assert_eq!(got, want, "{text}: got {got:08x}, want {want:08x}");
    }
}

#[test]
fn compressed_words_match_the_assembler() {
    let rows: &[(u16, u16, &str)] = &[
        (encode_ci(0, 1, A0, -32), 0x1501, "c.addi a0,-32"),
        (encode_ci(1, 1, A0, 31), 0x257d, "c.addiw a0,31"),
        (encode_ci(2, 1, 31, -1), 0x5ffd, "c.li t6,-1"),
        (encode_c_lui(A0, -32), 0x7501, "c.lui a0,0xfffe0"),
        (encode_c_lui(5, 31), 0x62fd, "c.lui t0,31"),
        (encode_ci(0, 2, A0, 63), 0x157e, "c.slli a0,63"),
        (encode_cb_alu(0, 15, 32), 0x9381, "c.srli a5,32"),
        (encode_cb_alu(1, 8, 1), 0x8405, "c.srai s0,1"),
        (encode_cb_alu(2, 13, -32), 0x9a81, "c.andi a3,-32"),
        (encode_ca(false, 0, 8, 15), 0x8c1d, "c.sub s0,a5"),
        (encode_ca(false, 1, A0, A1), 0x8d2d, "c.xor a0,a1"),
        (encode_ca(false, 2, A0, A1), 0x8d4d, "c.or a0,a1"),
        (encode_ca(false, 3, A0, A1), 0x8d6d, "c.and a0,a1"),
        (encode_ca(true, 0, A0, A1), 0x9d0d, "c.subw a0,a1"),
        (encode_ca(true, 1, A0, A1), 0x9d2d, "c.addw a0,a1"),
        (encode_cr(false, 5, 31), 0x82fe, "c.mv t0,t6"),
        (encode_cr(true, 1, 31), 0x90fe, "c.add ra,t6"),
        (C_NOP, 0x0001, "c.nop"),
        (encode_c_lw_sw(2, 9, A0, 124), 0x5ce8, "c.lw a0,124(s1)"),
        (encode_c_ld_sd(3, 9, 15, 248), 0x7cfc, "c.ld a5,248(s1)"),
        (encode_c_ld_sd(1, 9, 15, 8), 0x249c, "c.fld fa5,8(s1)"),
        (encode_c_lw_sw(6, 9, A0, 4), 0xc0c8, "c.sw a0,4(s1)"),
        (encode_c_ld_sd(7, 9, 15, 128), 0xe0dc, "c.sd a5,128(s1)"),
        (encode_c_ld_sd(5, 9, 8, 240), 0xb8e0, "c.fsd fs0,240(s1)"),
        (encode_c_lwsp(31, 252), 0x5ffe, "c.lwsp t6,252(sp)"),
        (encode_c_ldsp(3, 1, 504), 0x70fe, "c.ldsp ra,504(sp)"),
        (encode_c_ldsp(1, 0, 8), 0x2022, "c.fldsp ft0,8(sp)"),
        (encode_c_swsp(31, 4), 0xc27e, "c.swsp t6,4(sp)"),
        (encode_c_sdsp(7, A0, 256), 0xe22a, "c.sdsp a0,256(sp)"),
        (encode_c_sdsp(5, A0, 496), 0xbbaa, "c.fsdsp fa0,496(sp)"),
        (encode_c_addi4spn(A0, 1020), 0x1fe8, "c.addi4spn a0,sp,1020"),
        (encode_c_addi4spn(8, 4), 0x0040, "c.addi4spn s0,sp,4"),
        (encode_cb_branch(false, A0, 254), 0xcd7d, "c.beqz a0,.+254"),
        (encode_cb_branch(true, 9, 6), 0xe099, "c.bnez s1,.+6"),
        (encode_c_j(2046), 0xaffd, "c.j .+2046"),
        (encode_c_j(8), 0xa021, "c.j .+8"),
    ];
    for &(got, want, text) in rows {
        assert_eq!(got, want, "{text}: got {got:04x}, want {want:04x}");
    }
}
