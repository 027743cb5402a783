/*
 * Real-mode setup sectors of the bzImage form of the test guest.
 *
 * A loader that enters bzImages in real mode (QEMU, or oxemu for images without
 * XLF_KERNEL_64) jumps to offset 0x200 with DS = ES = SS = the setup segment.
 * This code switches to flat 32-bit protected mode and jumps to code32_start
 * with ESI = boot_params, as Linux's setup does, and EDI = 'REAL' so the guest
 * can report how it was entered. It calls no BIOS: there is none.
 */
    .code16
    .section .setup, "ax"
    .globl _setup
_setup:
    .org 0x1f1
    .byte 1                     /* setup_sects: one sector after the boot sector */
    .word 0                     /* root_flags */
    .long 0                     /* syssize (unused by the loaders we target) */
    .word 0, 0, 0               /* ram_size, vid_mode, root_dev */
    .word 0xaa55                /* boot_flag */
    jmp setup_entry             /* 0x200 */
    .ascii "HdrS"               /* 0x202 */
    .word 0x020f                /* 0x206 boot protocol 2.15 */
    .long 0                     /* 0x208 realmode_swtch */
    .word 0, 0                  /* 0x20c start_sys_seg, kernel_version */
    .byte 0                     /* 0x210 type_of_loader */
    .byte 0x81                  /* 0x211 loadflags: LOADED_HIGH | CAN_USE_HEAP */
    .word 0                     /* 0x212 setup_move_size */
    .long 0x100000              /* 0x214 code32_start */
    .long 0, 0, 0               /* 0x218 ramdisk_image, ramdisk_size, bootsect_kludge */
    .word 0                     /* 0x224 heap_end_ptr */
    .byte 0, 0                  /* 0x226 ext_loader_ver, ext_loader_type */
    .long 0                     /* 0x228 cmd_line_ptr */
    .long 0x37ffffff            /* 0x22c initrd_addr_max */
    .long 0x200000              /* 0x230 kernel_alignment */
    .byte 0, 0                  /* 0x234 relocatable_kernel, min_alignment */
    .word XLOADFLAGS            /* 0x236 xloadflags (1: 64-bit entry at +0x200) */
    .long 2047                  /* 0x238 cmdline_size */
    .long 0                     /* 0x23c hardware_subarch */
    .quad 0                     /* 0x240 hardware_subarch_data */
    .long 0, 0                  /* 0x248 payload_offset, payload_length */
    .quad 0                     /* 0x250 setup_data */
    .quad 0x100000              /* 0x258 pref_address */
    .long 0x100000              /* 0x260 init_size */
    .long 0, 0                  /* 0x264 handover_offset, kernel_info_offset */

setup_entry:
    cli
    xorl %ebx, %ebx
    movw %ds, %bx
    shll $4, %ebx               /* EBX = linear address of boot_params */
    movl %ebx, %eax
    addl $gdt, %eax
    movl %eax, gdtr + 2
    lgdtl gdtr
    movl %ebx, %eax
    addl $pm_stub, %eax
    movl %eax, farptr
    movl 0x214, %ebp            /* code32_start as the loader left it */
    movl %ebx, %esi
    movl $0x4c414552, %edi      /* 'REAL' */
    movl %cr0, %eax
    orl $1, %eax
    movl %eax, %cr0
    ljmpl *farptr

    .code32
pm_stub:
    movl $0x18, %eax
    movl %eax, %ds
    movl %eax, %es
    movl %eax, %ss
    movl %eax, %fs
    movl %eax, %gs
    jmp *%ebp

    .balign 8
gdt:
    .quad 0
    .quad 0
    .quad 0x00cf9a000000ffff    /* 0x10: flat 32-bit code */
    .quad 0x00cf92000000ffff    /* 0x18: flat data */
gdtr:
    .word 4 * 8 - 1
    .long 0
farptr:
    .long 0
    .word 0x10
    .org 1024
