<?php
// Sends one message with PHPMailer for smtpd's TestPHPMailer and prints the
// outcome as JSON. Usage: php send.php PORT MODE CAFILE
require '/usr/share/php/libphp-phpmailer/autoload.php';

use PHPMailer\PHPMailer\PHPMailer;

[$port, $mode, $cafile] = [(int)$argv[1], $argv[2], $argv[3]];
$mail = new PHPMailer(true);
$mail->isSMTP();
$mail->Host = '127.0.0.1';
$mail->Port = $port;
$mail->Helo = 'php.example';
$mail->SMTPAuth = true;
$mail->Username = 'php-user';
$mail->Password = 'any password';
$mail->CharSet = PHPMailer::CHARSET_UTF8;
switch ($mode) {
    case 'default': // PHPMailer's defaults: upgrade when offered, verify
        break;
    case 'noautotls':
        $mail->SMTPAutoTLS = false;
        break;
    case 'ca':
        $mail->SMTPOptions = ['ssl' => ['cafile' => $cafile, 'peer_name' => 'localhost']];
        break;
    case 'smtps':
        $mail->SMTPSecure = PHPMailer::ENCRYPTION_SMTPS;
        $mail->SMTPOptions = ['ssl' => ['cafile' => $cafile, 'peer_name' => 'localhost']];
        break;
}
try {
    $mail->setFrom('sender@example.com', 'PHP Sender');
    $mail->addAddress('dave@example.com', 'Dave');
    $mail->addBCC('hidden@example.com');
    $mail->Subject = 'Grüße from PHPMailer';
    $mail->isHTML(true);
    $mail->Body = '<p>HTML <b>body</b></p>';
    $mail->AltBody = "Plain body.\n.a line with a dot";
    $mail->addStringAttachment('attached text', 'notes.txt');
    $mail->send();
    echo json_encode(['sent' => true]), "\n";
} catch (Exception $e) {
    echo json_encode(['sent' => false, 'error' => $mail->ErrorInfo]), "\n";
}
