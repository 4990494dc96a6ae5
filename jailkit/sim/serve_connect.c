/*
 * The box's network stack for the sshd in front of a sim (jailkit.sim.serve):
 * preloaded into that sshd (LD_PRELOAD), it sends every IPv4 and IPv6
 * connect(2) the sshd makes, the direct-tcpip channels a client asks for
 * ("ssh -J", jailkit's Host.login), to the sim, whose kernel decides where
 * it goes, as a FreeBSD box's kernel would for its own sshd. The socket
 * then carries the connection's bytes; nothing reaches the host's network.
 *
 * Build: cc -O2 -shared -fPIC -o serve-connect.so serve_connect.c -ldl
 * Run:   env LD_PRELOAD=/path/serve-connect.so JAILKIT_TUNNEL=/path/tunnel.sock sshd ...
 * The socket's path comes from the environment, as the preload itself does
 * (sshd keeps both when it re-executes itself for each connection), so one
 * build serves every sshd.
 *
 * To the sim: family (1 byte: 4 or 6), the address (16 bytes, an IPv4 one
 * in the first 4), the port (2 bytes, big-endian). From it: 0 once
 * connected, else the errno connect(2) fails with.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int (*next_connect)(int, const struct sockaddr *, socklen_t);

static int exactly(int fd, void *data, size_t size, int writing)
{
	char *at = data;
	while (size > 0) {
		ssize_t done = writing ? write(fd, at, size) : read(fd, at, size);
		if (done < 0 && errno == EINTR)
			continue;
		if (done <= 0)
			return -1;
		at += done;
		size -= (size_t)done;
	}
	return 0;
}

/* A connection through the sim, or -1 with errno set. */
static int through_sim(const struct sockaddr *to)
{
	unsigned char request[19] = {0}, verdict;
	if (to->sa_family == AF_INET) {
		const struct sockaddr_in *v4 = (const struct sockaddr_in *)to;
		request[0] = 4;
		memcpy(request + 1, &v4->sin_addr, 4);
		memcpy(request + 17, &v4->sin_port, 2);
	} else {
		const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)to;
		request[0] = 6;
		memcpy(request + 1, &v6->sin6_addr, 16);
		memcpy(request + 17, &v6->sin6_port, 2);
	}
	const char *tunnel = getenv("JAILKIT_TUNNEL");
	struct sockaddr_un sim = {.sun_family = AF_UNIX};
	if (tunnel == NULL || strlen(tunnel) >= sizeof sim.sun_path) {
		errno = ENETUNREACH;   /* no sim to ask: the box has no network */
		return -1;
	}
	strcpy(sim.sun_path, tunnel);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	if (next_connect(fd, (struct sockaddr *)&sim, sizeof sim) < 0 ||
	    exactly(fd, request, sizeof request, 1) < 0 || exactly(fd, &verdict, 1, 0) < 0) {
		close(fd);
		errno = ENETUNREACH;   /* no sim: the box has no network */
		return -1;
	}
	if (verdict != 0) {
		close(fd);
		errno = verdict;
		return -1;
	}
	return fd;
}

int connect(int fd, const struct sockaddr *to, socklen_t size)
{
	if (next_connect == NULL)
		next_connect = (int (*)(int, const struct sockaddr *, socklen_t))dlsym(RTLD_NEXT, "connect");
	if (to == NULL || (to->sa_family != AF_INET && to->sa_family != AF_INET6))
		return next_connect(fd, to, size);
	int status = fcntl(fd, F_GETFL), descriptor = fcntl(fd, F_GETFD);
	int saved, through = through_sim(to);
	if (through < 0)
		return -1;
	/* the caller's descriptor becomes the connection, with its own flags */
	saved = dup2(through, fd) < 0 ? errno : 0;
	close(through);
	if (saved != 0) {
		errno = saved;
		return -1;
	}
	fcntl(fd, F_SETFL, status);
	fcntl(fd, F_SETFD, descriptor);
	return 0;
}
