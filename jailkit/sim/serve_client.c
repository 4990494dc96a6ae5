/*
 * The forced command of an sshd whose box is a sim (jailkit.sim.serve):
 *
 *     ForceCommand /path/serve-client /path/sim.sock
 *
 * Reads SSH_ORIGINAL_COMMAND and all of standard input, hands them to the
 * sim listening on the socket, writes back its stdout and stderr and exits
 * with its status (see serve.py for the protocol). A C program rather than
 * Python: a Python start alone costs more than the whole command should
 * (under 5 ms over ssh). Build: cc -O2 -o serve-client serve_client.c
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define CHUNK 65536
#define GONE 255   /* the status when no sim answers: ssh's own for its errors */

static const char *sock_path;

static void fail(const char *what)
{
	fprintf(stderr, "jailkit sim: %s %s: %s\n", what, sock_path, strerror(errno));
	exit(GONE);
}

static void gone(void)
{
	fprintf(stderr, "jailkit sim: the sim at %s went away before answering\n", sock_path);
	exit(GONE);
}

static void write_all(int fd, const char *data, size_t size)
{
	while (size > 0) {
		ssize_t done = write(fd, data, size);
		if (done < 0 && errno == EINTR)
			continue;
		if (done <= 0)
			return;   /* our reader is gone (the channel closed): nothing to do */
		data += done;
		size -= (size_t)done;
	}
}

static void send_all(int fd, const char *data, size_t size)
{
	while (size > 0) {
		ssize_t done = write(fd, data, size);
		if (done < 0 && errno == EINTR)
			continue;
		if (done <= 0)
			gone();
		data += done;
		size -= (size_t)done;
	}
}

static void read_exactly(int fd, unsigned char *into, size_t size)
{
	while (size > 0) {
		ssize_t done = read(fd, into, size);
		if (done < 0 && errno == EINTR)
			continue;
		if (done <= 0)
			gone();
		into += done;
		size -= (size_t)done;
	}
}

static uint64_t big_endian(const unsigned char *bytes, int size)
{
	uint64_t value = 0;
	for (int i = 0; i < size; i++)
		value = value << 8 | bytes[i];
	return value;
}

static void put_big_endian(unsigned char *into, uint64_t value, int size)
{
	for (int i = size - 1; i >= 0; i--, value >>= 8)
		into[i] = (unsigned char)(value & 0xff);
}

/* All of standard input, which the sim takes as a whole. */
static char *slurp(size_t *size)
{
	size_t room = CHUNK, used = 0;
	char *data = malloc(room);
	for (;;) {
		if (data == NULL) {
			fprintf(stderr, "jailkit sim: out of memory reading standard input\n");
			exit(GONE);
		}
		ssize_t done = read(0, data + used, room - used);
		if (done < 0 && errno == EINTR)
			continue;
		if (done <= 0)
			break;
		used += (size_t)done;
		if (used == room)
			data = realloc(data, room *= 2);
	}
	*size = used;
	return data;
}

/* One stream of the answer, copied through as it arrives. */
static void relay(int from, int to)
{
	unsigned char head[8], buffer[CHUNK];
	read_exactly(from, head, 8);
	uint64_t left = big_endian(head, 8);
	while (left > 0) {
		size_t size = left < CHUNK ? (size_t)left : CHUNK;
		read_exactly(from, buffer, size);
		write_all(to, (char *)buffer, size);
		left -= size;
	}
}

/*
 * The socket from the command line: `serve-client SOCKET`, or, as the login
 * shell of the sim's user, `serve-client -c 'PATH SOCKET'`, which is how
 * sshd runs the ForceCommand `PATH SOCKET` with it (session.c: the user's
 * shell, "-c", the command). Then the command names this program and the
 * socket, as a shell would read them (two words, no quoting), and no shell
 * starts in between: sh's start-up was a quarter of a command's cost.
 */
static const char *socket_of(int argc, char **argv)
{
	if (argc == 2 && argv[1][0] != '-')
		return argv[1];
	if (argc == 3 && strcmp(argv[1], "-c") == 0) {
		char *line = argv[2], *space = strchr(line, ' ');
		if (space != NULL && space > line && space[1] != '\0' &&
		    strpbrk(line, "\t\n'\"\\$`;&|<>(){}*?[]#~=%") == NULL &&
		    strchr(space + 1, ' ') == NULL) {
			*space = '\0';
			const char *name = strrchr(line, '/');
			if (strcmp(name ? name + 1 : line, "serve-client") == 0)
				return space + 1;
		}
	}
	fprintf(stderr, "usage: serve-client SOCKET\n"
	                "       serve-client -c 'PATH/serve-client SOCKET'\n");
	exit(2);
}

int main(int argc, char **argv)
{
	sock_path = socket_of(argc, argv);
	signal(SIGPIPE, SIG_IGN);   /* a reader gone is seen as a write error */
	const char *command = getenv("SSH_ORIGINAL_COMMAND");
	size_t command_size = command ? strlen(command) : 0, stdin_size;
	char *stdin_data = slurp(&stdin_size);

	struct sockaddr_un address = {.sun_family = AF_UNIX};
	if (strlen(sock_path) >= sizeof address.sun_path) {
		errno = ENAMETOOLONG;
		fail("cannot reach the sim at");
	}
	strcpy(address.sun_path, sock_path);
	int sim = socket(AF_UNIX, SOCK_STREAM, 0);
	if (sim < 0 || connect(sim, (struct sockaddr *)&address, sizeof address) < 0)
		fail("no sim answers at");

	unsigned char head[13];
	head[0] = command != NULL;
	put_big_endian(head + 1, command_size, 4);
	put_big_endian(head + 5, stdin_size, 8);
	send_all(sim, (char *)head, 5);
	send_all(sim, command ? command : "", command_size);
	send_all(sim, (char *)head + 5, 8);
	send_all(sim, stdin_data, stdin_size);

	unsigned char status[4];
	read_exactly(sim, status, 4);
	relay(sim, 1);
	relay(sim, 2);
	return (int)(int32_t)big_endian(status, 4) & 0xff;
}
