// Sends one message with nodemailer for smtpd's TestNodemailer and prints
// the result (or the error) as JSON. Usage: node send.js PORT MODE CAFILE
const nodemailer = require("nodemailer");
const fs = require("fs");

const [port, mode, cafile] = [Number(process.argv[2]), process.argv[3], process.argv[4]];
const options = { host: "127.0.0.1", port, auth: { user: "node-user", pass: "any password" } };
switch (mode) {
  case "default": // nodemailer's defaults: upgrade when offered, verify
    break;
  case "ignoretls":
    options.ignoreTLS = true;
    break;
  case "insecure":
    options.tls = { rejectUnauthorized: false };
    break;
  case "ca":
    options.tls = { ca: fs.readFileSync(cafile), servername: "localhost" };
    break;
  case "smtps":
    options.secure = true;
    options.tls = { ca: fs.readFileSync(cafile), servername: "localhost" };
    break;
}
nodemailer.createTransport(options).sendMail({
  from: "Node <sender@example.com>",
  to: "Dave <dave@example.com>",
  bcc: "hidden@example.com",
  subject: "Grüße from nodemailer",
  text: "Plain text.\n.a line with a dot\n",
  html: "<p>HTML <b>part</b></p>",
  attachments: [{ filename: "notes.txt", content: "attached" }],
}).then(
  (info) => console.log(JSON.stringify({ sent: info.accepted.length === 2 && info.response.startsWith("250 ") })),
  (err) => console.log(JSON.stringify({ sent: false, error: `${err.code}: ${err.message}` })),
);
