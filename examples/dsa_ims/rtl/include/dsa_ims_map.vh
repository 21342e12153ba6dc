// dsa_ims register map constants (kept in sync with dsa_ims.rdl; included by dsa_ims_csr.v).
// A header in an include directory, so the profile's include_dirs are exercised.
localparam [13:0] DSA_IMS_TABLE_BASE = 14'h2000;   // entry table
localparam [13:0] DSA_IMS_PEND_BASE = 14'h0080;    // PEND words
