// MailCheck drives Jakarta Mail (the JavaMail API) against a running
// intray for TestJakartaMail: it sends a multipart message over SMTP with
// STARTTLS and AUTH, reads it back over IMAP (flags, a folder, a copy) and
// POP3, and prints what it saw, one key=value line each.
// Usage: java MailCheck SMTP_PORT IMAP_PORT POP3_PORT
import jakarta.activation.DataHandler;
import jakarta.mail.*;
import jakarta.mail.internet.*;
import jakarta.mail.util.ByteArrayDataSource;
import java.util.Properties;

public class MailCheck {
    static void out(String k, Object v) {
        System.out.println(k + "=" + String.valueOf(v).replace("\r", "\\r").replace("\n", "\\n"));
    }

    public static void main(String[] args) throws Exception {
        Properties sp = new Properties();
        sp.put("mail.smtp.host", "127.0.0.1");
        sp.put("mail.smtp.port", args[0]);
        sp.put("mail.smtp.localhost", "java.example");
        sp.put("mail.smtp.auth", "true");
        sp.put("mail.smtp.starttls.enable", "true");
        sp.put("mail.smtp.starttls.required", "true");
        sp.put("mail.smtp.ssl.trust", "*"); // intray's self-signed certificate
        Session smtp = Session.getInstance(sp, new Authenticator() {
            protected PasswordAuthentication getPasswordAuthentication() {
                return new PasswordAuthentication("java-user", "any password");
            }
        });
        MimeMessage m = new MimeMessage(smtp);
        m.setFrom(new InternetAddress("java@example.com", "Jäva Sender", "UTF-8"));
        m.setRecipients(Message.RecipientType.TO, "carol@example.com");
        m.setSubject("Grüße from Jakarta Mail", "UTF-8");
        MimeBodyPart text = new MimeBodyPart();
        text.setText("Hello from Java.\n.a line with a dot\n", "UTF-8");
        MimeBodyPart file = new MimeBodyPart();
        file.setDataHandler(new DataHandler(new ByteArrayDataSource(new byte[] {0, 1, 2, (byte) 255}, "application/octet-stream")));
        file.setFileName("data.bin");
        MimeMultipart mp = new MimeMultipart();
        mp.addBodyPart(text);
        mp.addBodyPart(file);
        m.setContent(mp);
        Transport.send(m);
        out("sent", true);

        Properties ip = new Properties();
        ip.put("mail.imap.host", "127.0.0.1");
        ip.put("mail.imap.port", args[1]);
        Store imap = Session.getInstance(ip).getStore("imap");
        imap.connect("carol@example.com", "any password");
        Folder inbox = imap.getFolder("INBOX");
        inbox.open(Folder.READ_WRITE);
        out("imap.count", inbox.getMessageCount());
        Message got = inbox.getMessage(1);
        out("imap.subject", got.getSubject());
        out("imap.from", ((InternetAddress) got.getFrom()[0]).getPersonal());
        MimeMultipart parts = (MimeMultipart) got.getContent();
        out("imap.parts", parts.getCount());
        out("imap.text", parts.getBodyPart(0).getContent());
        BodyPart att = parts.getBodyPart(1);
        out("imap.filename", att.getFileName());
        byte[] data = att.getInputStream().readAllBytes();
        out("imap.data", java.util.Arrays.toString(data));
        got.setFlag(Flags.Flag.FLAGGED, true);
        out("imap.flagged", inbox.getMessage(1).isSet(Flags.Flag.FLAGGED));
        Folder archive = imap.getFolder("Archive");
        out("imap.created", archive.create(Folder.HOLDS_MESSAGES));
        inbox.copyMessages(new Message[] {got}, archive);
        archive.open(Folder.READ_ONLY);
        out("imap.archived", archive.getMessageCount());
        archive.close(false);
        inbox.close(false);
        imap.close();

        Properties pp = new Properties();
        pp.put("mail.pop3.host", "127.0.0.1");
        pp.put("mail.pop3.port", args[2]);
        Store pop = Session.getInstance(pp).getStore("pop3");
        pop.connect("carol@example.com", "any password");
        Folder pin = pop.getFolder("INBOX");
        pin.open(Folder.READ_ONLY);
        out("pop3.count", pin.getMessageCount());
        out("pop3.subject", pin.getMessage(1).getSubject());
        pin.close(false);
        pop.close();
    }
}
