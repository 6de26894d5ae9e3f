# A real SMTP server for the mail tests (Debian's python3-aiosmtpd) on
# loopback. It stores every message it is given as FOLDER/NNNN.eml, with
# the envelope's recipients, the user who logged in and whether the
# connection was encrypted first, and writes the port it listens on to
# PORT_FILE once it is ready.
#
#   smtp_server.py FOLDER PORT_FILE PORT                 plain SMTP
#   ... --cert PEM --key KEY --starttls --auth USER:PW   STARTTLS and AUTH
#                                                        (LOGIN, PLAIN) required
#   ... --cert PEM --key KEY --implicit-tls --auth USER:PW  TLS from the start
#
# Each login tried is a line "USER ok" or "USER refused" in FOLDER/auth.log.
import argparse
import asyncio
import os
import socket
import ssl

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Store:
    def __init__(self, folder):
        self.folder = folder
        self.count = len([n for n in os.listdir(folder) if n.endswith(".eml")])

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        path = os.path.join(self.folder, "%04d.eml" % self.count)
        encrypted = (session.ssl is not None or
                     server.transport.get_extra_info("ssl_object") is not None)
        user = session.auth_data.login.decode() if session.auth_data else ""
        with open(path + ".tmp", "wb") as out:
            out.write(("X-Envelope-To: %s\r\n" % ",".join(envelope.rcpt_tos)).encode())
            out.write(("X-Auth-User: %s\r\n" % user).encode())
            out.write(("X-Encrypted: %s\r\n" % ("yes" if encrypted else "no")).encode())
            out.write(envelope.content)
        os.rename(path + ".tmp", path)
        return "250 Message accepted"


def authenticator(folder, wanted):
    def check(server, session, envelope, mechanism, auth_data):
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        user = auth_data.login.decode()
        ok = (user, auth_data.password.decode()) == wanted
        with open(os.path.join(folder, "auth.log"), "a") as log:
            log.write("%s %s\n" % (user, "ok" if ok else "refused"))
        return AuthResult(success=ok, handled=False, auth_data=auth_data)
    return check


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("folder")
    parser.add_argument("port_file")
    parser.add_argument("port", type=int)
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--starttls", action="store_true")
    parser.add_argument("--implicit-tls", action="store_true")
    parser.add_argument("--auth")
    args = parser.parse_args()

    context = None
    if args.cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)
    options = {}
    if args.starttls:
        options.update(tls_context=context, require_starttls=True)
    if args.auth:
        user, password = args.auth.split(":", 1)
        options.update(auth_required=True,
                       auth_require_tls=not args.implicit_tls,
                       authenticator=authenticator(args.folder, (user, password)))

    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    sock.listen(16)
    store = Store(args.folder)
    await asyncio.get_running_loop().create_server(
        lambda: SMTP(store, **options), sock=sock,
        ssl=context if args.implicit_tls else None)
    with open(args.port_file + ".tmp", "w") as out:
        out.write(str(sock.getsockname()[1]))
    os.rename(args.port_file + ".tmp", args.port_file)
    await asyncio.Event().wait()


asyncio.run(main())
