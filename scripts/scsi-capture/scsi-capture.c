/*
 * scsi-capture: send raw CDBs to one LUN of an iSCSI target (libiscsi) and print what came back, one line per
 * command, as fixtures for the SCSI decoder tests:
 *
 *   scsi-capture iscsi://127.0.0.1:3260/IQN/LUN NAME ALLOC [L:]CDB-HEX [NAME ALLOC [L:]CDB-HEX]...
 *
 * An "L:" prefix sends that one command to LUN L in the same session (PREVENT on a drive, then MOVE MEDIUM).
 * prints  NAME status=SS cdb=HEX data=HEX sense=HEX
 * Data-in lands in our own buffer (libiscsi otherwise replaces it by the sense segment on CHECK CONDITION).
 * The power-on UNIT ATTENTION (06/29/00) of the first command is retried once and not printed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>

static void hex(const char *label, const unsigned char *p, int n)
{
	printf(" %s=", label);
	for (int i = 0; i < n; i++) printf("%02x", p[i]);
}

int main(int argc, char **argv)
{
	if (argc < 5 || (argc - 2) % 3 != 0) {
		fprintf(stderr, "usage: %s iscsi://HOST/IQN/LUN NAME ALLOC CDBHEX ...\n", argv[0]);
		return 2;
	}
	struct iscsi_url *url;
	struct iscsi_context *ic = iscsi_create_context("iqn.2024-01.test.capstan:capture");
	if (!ic) return 2;
	url = iscsi_parse_full_url(ic, argv[1]);
	if (!url) { fprintf(stderr, "bad url: %s\n", iscsi_get_error(ic)); return 2; }
	iscsi_set_session_type(ic, ISCSI_SESSION_NORMAL);
	iscsi_set_header_digest(ic, ISCSI_HEADER_DIGEST_NONE);
	iscsi_set_targetname(ic, url->target);
	iscsi_set_timeout(ic, 10);
	iscsi_set_noautoreconnect(ic, 1);
	if (iscsi_full_connect_sync(ic, url->portal, url->lun) != 0) {
		fprintf(stderr, "connect: %s\n", iscsi_get_error(ic));
		return 2;
	}
	for (int a = 2; a + 2 < argc; a += 3) {
		const char *name = argv[a];
		int alloc = atoi(argv[a + 1]);
		unsigned char cdb[16], sense[260];
		const char *text = argv[a + 2];
		int lun = url->lun;
		if (strchr(text, ':')) { lun = atoi(text); text = strchr(text, ':') + 1; }
		int cdblen = (int)strlen(text) / 2;
		if (cdblen > 16) return 2;
		for (int i = 0; i < cdblen; i++) sscanf(text + 2 * i, "%2hhx", &cdb[i]);
		unsigned char *buf = calloc(1, alloc > 0 ? alloc : 1);
		for (int attempt = 0; attempt < 2; attempt++) {
			struct scsi_task *t = scsi_create_task(cdblen, cdb, alloc > 0 ? SCSI_XFER_READ : SCSI_XFER_NONE, alloc);
			struct scsi_iovec iov = { buf, (size_t)alloc };
			if (alloc > 0) scsi_task_set_iov_in(t, &iov, 1);
			if (iscsi_scsi_command_sync(ic, lun, t, NULL) == NULL) {
				printf("%s transport-error %s\n", name, iscsi_get_error(ic));
				return 1;
			}
			int got = alloc - (t->residual_status == SCSI_RESIDUAL_UNDERFLOW ? (int)t->residual : 0);
			int slen = 0;
			if (t->status == SCSI_STATUS_CHECK_CONDITION && t->datain.size > 2) {
				slen = t->datain.size - 2;
				if (slen > (int)sizeof(sense)) slen = sizeof(sense);
				memcpy(sense, t->datain.data + 2, slen);
			}
			if (attempt == 0 && slen >= 14 && (sense[2] & 0x0f) == 6) { scsi_free_scsi_task(t); continue; }
			printf("%s lun=%d status=%02x", name, lun, t->status);
			hex("cdb", cdb, cdblen);
			hex("data", buf, t->status == SCSI_STATUS_GOOD ? (got < 0 ? 0 : got) : 0);
			hex("sense", sense, slen);
			printf("\n");
			scsi_free_scsi_task(t);
			break;
		}
		free(buf);
	}
	iscsi_destroy_context(ic);
	return 0;
}
