/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * milter_proto - the milter wire protocol (version 6, as Sendmail and
 * Postfix speak it), pure: no I/O, no threads, no state.
 *
 * Every packet is a 4-byte big-endian length (the command byte
 * included), a command byte and its data.  milter_proto_frame() finds
 * one complete packet in a buffer; milter_proto_decode() checks an MTA
 * command and points into its data (the strings stay in the caller's
 * buffer: borrowed for as long as that buffer is unchanged); the
 * milter_proto_put_*() functions append one reply packet to a vstr.
 * Malformed input is an error with a reason, never a crash.
 */
#ifndef MXAUTH_MILTER_PROTO_H
#define MXAUTH_MILTER_PROTO_H

#include <stddef.h>
#include <stdint.h>

struct vstr;

#define MILTER_VERSION		6	/* the protocol version we speak */
#define MILTER_VERSION_MIN	2	/* the oldest MTA we talk to */
/*
 * The largest packet taken: the MTA's body chunks are at most 64 KiB
 * (1 MiB with SMFIP_MDS_1M, which mxauth does not ask for); a header
 * field or a MAIL FROM is far smaller.  A larger length is an error that
 * closes the connection.
 */
#define MILTER_PKT_MAX		(1024 * 1024 + 4096)
#define MILTER_ARGV_MAX		64	/* MAIL/RCPT arguments kept */

/* MTA commands (the SMFIC_* codes) */
#define MILTER_C_ABORT		'A'
#define MILTER_C_BODY		'B'
#define MILTER_C_CONNECT	'C'
#define MILTER_C_MACRO		'D'
#define MILTER_C_BODYEOB	'E'
#define MILTER_C_HELO		'H'
#define MILTER_C_QUIT_NC	'K'
#define MILTER_C_HEADER		'L'
#define MILTER_C_MAIL		'M'
#define MILTER_C_EOH		'N'
#define MILTER_C_OPTNEG		'O'
#define MILTER_C_QUIT		'Q'
#define MILTER_C_RCPT		'R'
#define MILTER_C_DATA		'T'
#define MILTER_C_UNKNOWN	'U'

/* Replies (the SMFIR_* codes mxauth sends) */
#define MILTER_R_ACCEPT		'a'
#define MILTER_R_CONTINUE	'c'
#define MILTER_R_ADDHEADER	'h'
#define MILTER_R_INSHEADER	'i'
#define MILTER_R_CHGHEADER	'm'
#define MILTER_R_QUARANTINE	'q'
#define MILTER_R_REJECT		'r'
#define MILTER_R_TEMPFAIL	't'
#define MILTER_R_REPLYCODE	'y'

/* Actions the milter may take (SMFIF_*) */
#define MILTER_A_ADDHDRS	0x001u
#define MILTER_A_CHGBODY	0x002u
#define MILTER_A_ADDRCPT	0x004u
#define MILTER_A_DELRCPT	0x008u
#define MILTER_A_CHGHDRS	0x010u
#define MILTER_A_QUARANTINE	0x020u
#define MILTER_A_CHGFROM	0x040u
#define MILTER_A_ADDRCPT_PAR	0x080u
#define MILTER_A_SETSYMLIST	0x100u

/* Protocol steps (SMFIP_*): what the MTA skips or does not wait for */
#define MILTER_P_NOCONNECT	0x00000001u
#define MILTER_P_NOHELO		0x00000002u
#define MILTER_P_NOMAIL		0x00000004u
#define MILTER_P_NORCPT		0x00000008u
#define MILTER_P_NOBODY		0x00000010u
#define MILTER_P_NOHDRS		0x00000020u
#define MILTER_P_NOEOH		0x00000040u
#define MILTER_P_NR_HDR		0x00000080u
#define MILTER_P_NOUNKNOWN	0x00000100u
#define MILTER_P_NODATA		0x00000200u
#define MILTER_P_SKIP		0x00000400u
#define MILTER_P_RCPT_REJ	0x00000800u
#define MILTER_P_NR_CONN	0x00001000u
#define MILTER_P_NR_HELO	0x00002000u
#define MILTER_P_NR_MAIL	0x00004000u
#define MILTER_P_NR_RCPT	0x00008000u
#define MILTER_P_NR_DATA	0x00010000u
#define MILTER_P_NR_UNKN	0x00020000u
#define MILTER_P_NR_EOH		0x00040000u
#define MILTER_P_NR_BODY	0x00080000u
#define MILTER_P_HDR_LEADSPC	0x00100000u

/* Macro stages of the OPTNEG answer's macro lists (SMFIM_*) */
enum milter_stage {
	MILTER_M_CONNECT, MILTER_M_HELO, MILTER_M_ENVFROM, MILTER_M_ENVRCPT,
	MILTER_M_DATA, MILTER_M_EOM, MILTER_M_EOH, MILTER_M_NSTAGES
};

/* One packet: its command and data, borrowed from the framed buffer */
struct milter_pkt {
	int		 cmd;
	const unsigned char *data;
	size_t		 len;
};

/*
 * One decoded MTA command.  Which fields are set depends on cmd; every
 * string is NUL-terminated inside the packet (borrowed from it).
 */
struct milter_cmd {
	int		 cmd;
	/* OPTNEG */
	uint32_t	 version, actions, steps;
	/* MACRO: the command they are for, name\0value\0 pairs */
	int		 macro_for;
	const char	*macros;
	size_t		 macros_len;
	/* CONNECT: family '4', '6', 'L' or 'U'; addr is NULL for 'U' */
	const char	*host;
	int		 family;
	unsigned	 port;
	const char	*addr;
	/* HELO, UNKNOWN: the one string */
	const char	*text;
	/* MAIL, RCPT: the first MILTER_ARGV_MAX arguments, NULL-ended */
	const char	*argv[MILTER_ARGV_MAX + 1];
	size_t		 argc;
	/* HEADER */
	const char	*name, *value;
	/* BODY, BODYEOB */
	const unsigned char *body;
	size_t		 body_len;
};

/*
 * milter_proto_frame - the first packet of BUF: 1 with *PKT and *USED
 * (bytes it takes) set, 0 when BUF holds no complete packet yet, -1 on a
 * length of 0 or over MILTER_PKT_MAX (the stream cannot be resynced)
 */
int	 milter_proto_frame(const unsigned char *buf, size_t len,
	    struct milter_pkt *pkt, size_t *used);
/* milter_proto_decode - check PKT and fill *CMD; 0, or -1 with WHY */
int	 milter_proto_decode(const struct milter_pkt *pkt,
	    struct milter_cmd *cmd, char *why, size_t whylen);
/*
 * milter_proto_macro - the value of macro NAME in PAIRS (name\0value\0
 * pairs as decoded), or NULL; "{i}" and "i" are the same name.  The
 * value is borrowed from PAIRS.
 */
const char *milter_proto_macro(const char *pairs, size_t len,
	    const char *name);
/* milter_proto_stage - the macro stage of command CMD, or -1 */
int	 milter_proto_stage(int cmd);

/* milter_proto_put - a packet CMD with LEN bytes of DATA (may be 0) */
void	 milter_proto_put(struct vstr *out, int cmd, const void *data,
	    size_t len);
/*
 * milter_proto_put_optneg - the OPTNEG answer; LISTS[stage] is a
 * space-separated macro list for that stage or NULL (LISTS may be NULL)
 */
void	 milter_proto_put_optneg(struct vstr *out, uint32_t version,
	    uint32_t actions, uint32_t steps, const char *const *lists);
/* milter_proto_put_replycode - REPLYCODE "RCODE XCODE TEXT" (XCODE may
 * be NULL or "": "RCODE TEXT") */
void	 milter_proto_put_replycode(struct vstr *out, const char *rcode,
	    const char *xcode, const char *text);
/*
 * milter_proto_put_header - ADDHEADER (INDEX unused), INSHEADER or
 * CHGHEADER (VALUE "" deletes) for header NAME
 */
void	 milter_proto_put_header(struct vstr *out, int cmd, uint32_t index,
	    const char *name, const char *value);
/* milter_proto_put_str - a packet CMD whose data is one string */
void	 milter_proto_put_str(struct vstr *out, int cmd, const char *s);

#endif
