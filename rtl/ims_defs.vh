/*
 * Names shared by more than one IMS RTL file: op codes between the register
 * block, the maintenance unit and the pipeline, the pipeline's own op kinds,
 * the slot entry's dwords and CTRL bits, the 116-bit entry image layout.
 * Macros (not localparams): a `define survives the include guard, so every
 * file of one compilation unit sees them whichever file included this first.
 * Values are the contract's (ims-block.md §2/§3 register layout) or this
 * RTL's own encodings; change one here and every user follows.
 */

`ifndef IMS_DEFS_VH
`define IMS_DEFS_VH

// pipeline op kinds (3 bits, the op skid buffer's and the stages' kind field)
`define IMS_OP_TRIG      3'd0   // trigger from the s_irq port
`define IMS_OP_SLOT_RD   3'd1   // register op: slot dword read
`define IMS_OP_SLOT_WR   3'd2   // register op: slot dword write (read-modify-write)
`define IMS_OP_PEND_RD   3'd3   // register op: PENDING word read
`define IMS_OP_SCAN_WORD 3'd4   // replay scanner: pending word read
`define IMS_OP_CAND      3'd5   // replay scanner / ims_mem_maint: candidate check

// register ops, ims_regs -> pipeline (reg_op_kind)
`define IMS_REG_OP_SLOT_RD 2'd0
`define IMS_REG_OP_SLOT_WR 2'd1
`define IMS_REG_OP_PEND_RD 2'd2

// maintenance ops, ims_mem_maint -> pipeline (mem_op_kind)
`define IMS_MEM_OP_CAND    2'd0   // candidate check of a memory entry (image in mem_op_line)
`define IMS_MEM_OP_CLEAR   2'd1   // pending-bit clear
`define IMS_MEM_OP_PEND_RD 2'd2   // PENDING word read

// memory commands, ims_regs -> ims_mem_maint (mem_cmd_kind)
`define IMS_MEM_CMD_INVAL 2'd0    // MEM_INVAL
`define IMS_MEM_CMD_BASE  2'd1    // MEM_BASE_LO / MEM_BASE_HI
`define IMS_MEM_CMD_SIZE  2'd2    // MEM_ENTRIES

// slot entry dwords (slot offset bits 3:2)
`define IMS_SLOT_DW_ADDR_LO 2'd0
`define IMS_SLOT_DW_ADDR_HI 2'd1
`define IMS_SLOT_DW_DATA    2'd2
`define IMS_SLOT_DW_CTRL    2'd3

// slot CTRL dword bits
`define IMS_SLOT_CTRL_MASK     0
`define IMS_SLOT_CTRL_PENDING  1
`define IMS_SLOT_CTRL_PASID_EN 3
`define IMS_SLOT_CTRL_PASID    31:12

// the 116-bit entry image (slot-store layout; memory entries' images in ims_mem_front)
`define IMS_ENTRY_ADDR_LO  29:0     // message address bits 31:2
`define IMS_ENTRY_ADDR_HI  61:30
`define IMS_ENTRY_DATA     93:62
`define IMS_ENTRY_MASK     94
`define IMS_ENTRY_PASID_EN 95
`define IMS_ENTRY_PASID    115:96

`endif
