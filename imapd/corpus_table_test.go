package imapd

import "github.com/emersion/go-imap/v2"

// noLines marks a part without a body-fld-lines (neither TEXT nor
// MESSAGE/RFC822).
const noLines = -1

// corpus is the expectation table of TestCorpus, one entry per file under
// testdata/corpus, in the order they are stored. Every value was written
// from the message text and RFC 3501 7.4.2 / 6.4.5; sizes and line counts
// are those of the body chunks, which the test checks as well. Envelope
// strings are as go-imap's client decodes them (RFC 2047 words in UTF-8 and
// ISO-8859-1 decoded, other charsets left as sent, message ids without
// angle brackets).
var corpus = []corpusCase{
	{
		// text/plain; folded Subject with an encoded word; a display name
		// with escaped quotes; a comment as the name.
		file: "simple.eml",
		msg: wantMsg{
			env: imap.Envelope{
				Date: date("Tue, 02 Jan 2024 10:00:00 +0100"), Subject: "Grüße from Alice",
				From:    addrs(addr("Alice Example", "alice", "example.com")),
				Sender:  addrs(addr("Alice Example", "alice", "example.com")),
				ReplyTo: addrs(addr("Alice Example", "alice", "example.com")),
				To: addrs(addr("Bob", "bob", "example.org"), addr("Carol C.", "carol", "example.org"),
					addr(`Dave "The Man" Doe`, "dave", "example.org")),
				MessageID: "20240102100000.1@example.com",
			},
			header: between("Return-Path:", "7bit\n\n"),
			text:   between("Hello Bob,", ""),
		},
		parts: []wantPart{
			{sec: "1", typ: "TEXT/PLAIN", params: params("charset", "utf-8", "format", "flowed"), enc: "7BIT",
				size: 52, lines: 5, body: between("Hello Bob,", ""), mime: between("Return-Path:", "7bit\n\n")},
		},
	},
	{
		// multipart/alternative with a preamble, quoted-printable parts.
		file: "alternative.eml",
		msg: wantMsg{
			env: imap.Envelope{
				Date: date("Wed, 03 Jan 2024 08:15:00 -0500"), Subject: "Your weekly deals",
				From:      addrs(addr("Newsletter", "news", "shop.example")),
				Sender:    addrs(addr("Newsletter", "news", "shop.example")),
				ReplyTo:   addrs(addr("", "support", "shop.example")),
				To:        addrs(addr("", "customer", "example.net")),
				InReplyTo: []string{"prev-41@shop.example"}, MessageID: "deals-42@shop.example",
			},
			header: between("From: Newsletter", "boundary=\"b1_alt\"\n\n"),
			text:   between("This is a multi-part", ""),
		},
		parts: []wantPart{
			{sec: "", typ: "MULTIPART/ALTERNATIVE", params: params("boundary", "b1_alt")},
			{sec: "1", typ: "TEXT/PLAIN", params: params("charset", "UTF-8"), enc: "QUOTED-PRINTABLE", size: 74, lines: 1,
				body: lit("Deals of the week =E2=80=93 up to 50% off.\nSee https://shop.example/deals"),
				mime: lit("Content-Type: text/plain; charset=\"UTF-8\"\nContent-Transfer-Encoding: quoted-printable\n\n")},
			{sec: "2", typ: "TEXT/HTML", params: params("charset", "UTF-8"), enc: "QUOTED-PRINTABLE", size: 131, lines: 2,
				body: between("<html><body><p>Deals", "</body></html>\n"),
				mime: lit("Content-Type: text/html; charset=\"UTF-8\"\nContent-Transfer-Encoding: quoted-printable\n\n")},
		},
	},
	{
		// multipart/related (type param) > alternative + two inline images.
		file: "related.eml",
		msg: wantMsg{
			env: imap.Envelope{
				Date: date("Thu, 04 Jan 2024 12:00:00 +0000"), Subject: "Company picnic",
				From:      addrs(addr("Marketing", "marketing", "corp.example")),
				Sender:    addrs(addr("Marketing", "marketing", "corp.example")),
				ReplyTo:   addrs(addr("Marketing", "marketing", "corp.example")),
				To:        addrs(addr("", "all", "corp.example")),
				MessageID: "picnic@corp.example",
			},
			header: between("From: Marketing", "boundary=\"----=_rel_001\"\n\n"),
			text:   between("------=_rel_001\nContent-Type: multipart/alternative", ""),
		},
		parts: []wantPart{
			{sec: "", typ: "MULTIPART/RELATED", params: params("type", "multipart/alternative", "boundary", "----=_rel_001")},
			{sec: "1", typ: "MULTIPART/ALTERNATIVE", params: params("boundary", "----=_alt_002"),
				body: between("------=_alt_002\nContent-Type: text/plain", "------=_alt_002--\n"),
				mime: lit("Content-Type: multipart/alternative; boundary=\"----=_alt_002\"\n\n")},
			{sec: "1.1", typ: "TEXT/PLAIN", params: params("charset", "us-ascii"), enc: "7BIT", size: 25, lines: 1,
				body: lit("Join us for the picnic!\n"), mime: lit("Content-Type: text/plain; charset=us-ascii\n\n")},
			{sec: "1.2", typ: "TEXT/HTML", params: params("charset", "us-ascii"), enc: "7BIT", size: 100, lines: 2,
				body: between("<p>Join us", "cid:map@corp.example\">\n"), mime: lit("Content-Type: text/html; charset=us-ascii\n\n")},
			{sec: "2", typ: "IMAGE/PNG", params: params("name", "logo.png"), id: "<logo@corp.example>", enc: "BASE64",
				size: 98, lines: noLines, disp: "INLINE", dparams: params("filename", "logo.png"),
				body: between("iVBORw0KGgo", "RU5ErkJggg=="), mime: between("Content-Type: image/png", "filename=\"logo.png\"\n\n")},
			{sec: "3", typ: "IMAGE/JPEG", id: "<map@corp.example>", enc: "BASE64", size: 76, lines: noLines, disp: "INLINE",
				body: lit("/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////"),
				mime: between("Content-Type: image/jpeg", "Content-Disposition: inline\n\n")},
		},
	},
	{
		// Apple Mail: alternative > (plain, related > (html, inline image)),
		// folded parameters, an empty preamble line.
		file: "apple-mail.eml",
		msg: wantMsg{
			env: imap.Envelope{
				Date: date("Mon, 08 Jan 2024 18:42:07 +0100"), Subject: "Photo from the trip",
				From:      addrs(addr("Jane Appleseed", "jane", "icloud.example")),
				Sender:    addrs(addr("Jane Appleseed", "jane", "icloud.example")),
				ReplyTo:   addrs(addr("Jane Appleseed", "jane", "icloud.example")),
				To:        addrs(addr("Bob Smith", "bob", "example.org")),
				MessageID: "E5D1A2B3-1111-2222-3333-444455556666@icloud.example",
			},
			header: between("From: Jane", "To: Bob Smith <bob@example.org>\n\n"),
			text:   between("--Apple-Mail=_A1\nContent-Transfer-Encoding", ""),
		},
		parts: []wantPart{
			{sec: "", typ: "MULTIPART/ALTERNATIVE", params: params("boundary", "Apple-Mail=_A1")},
			{sec: "1", typ: "TEXT/PLAIN", params: params("charset", "us-ascii"), enc: "7BIT", size: 19, lines: 2,
				body: lit("Here it is!\n\nJane"), mime: between("Content-Transfer-Encoding: 7bit\nContent-Type: text/plain;", "charset=us-ascii\n\n")},
			{sec: "2", typ: "MULTIPART/RELATED", params: params("type", "text/html", "boundary", "Apple-Mail=_A2"),
				body: between("\n--Apple-Mail=_A2\nContent-Transfer-Encoding: 7bit", "--Apple-Mail=_A2--\n"),
				mime: between("Content-Type: multipart/related;", "boundary=\"Apple-Mail=_A2\"\n\n")},
			{sec: "2.1", typ: "TEXT/HTML", params: params("charset", "us-ascii"), enc: "7BIT", size: 107, lines: 0,
				body: lit(`<html><body>Here it is!<div><img src="cid:4F1E2D3C@home" alt="trip.png"></div><div>Jane</div></body></html>`),
				mime: between("Content-Transfer-Encoding: 7bit\nContent-Type: text/html;", "charset=us-ascii\n\n")},
			{sec: "2.2", typ: "IMAGE/PNG", params: params("x-unix-mode", "0644", "name", "trip.png"), id: "<4F1E2D3C@home>",
				enc: "BASE64", size: 98, lines: noLines, disp: "INLINE", dparams: params("filename", "trip.png"),
				body: between("iVBORw0KGgo", "RU5ErkJggg=="),
				mime: between("Content-Transfer-Encoding: base64\nContent-Disposition: inline;", "Content-Id: <4F1E2D3C@home>\n\n")},
		},
	},
	{
		// A forwarded message/rfc822 holding multipart/alternative.
		file: "nested-rfc822.eml",
		msg: wantMsg{
			env: imap.Envelope{
				Date: date("Sat, 06 Jan 2024 09:00:00 +0000"), Subject: "Fwd: Your weekly deals",
				From:      addrs(addr("Bob", "bob", "example.org")),
				Sender:    addrs(addr("Bob", "bob", "example.org")),
				ReplyTo:   addrs(addr("Bob", "bob", "example.org")),
				To:        addrs(addr("Alice", "alice", "example.com")),
				MessageID: "fwd-1@example.org",
			},
			header: between("From: Bob", "boundary=\"outer\"\n\n"),
			text:   between("--outer\nContent-Type: text/plain", ""),
		},
		parts: []wantPart{
			{sec: "", typ: "MULTIPART/MIXED", params: params("boundary", "outer")},
			{sec: "1", typ: "TEXT/PLAIN", params: params("charset", "utf-8"), enc: "7BIT", size: 12, lines: 1,
				body: lit("See below.\n"), mime: lit("Content-Type: text/plain; charset=utf-8\n\n")},
			{sec: "2", typ: "MESSAGE/RFC822", enc: "7BIT", size: 376, lines: 17, disp: "INLINE", dparams: params("filename", "deals.eml"),
				body: between("From: Newsletter", "--inner--\n"),
				mime: between("Content-Type: message/rfc822\n", "filename=\"deals.eml\"\n\n"),
				msg: &wantMsg{
					env: imap.Envelope{
						Date: date("Wed, 03 Jan 2024 08:15:00 -0500"), Subject: "Your weekly deals",
						From:      addrs(addr("Newsletter", "news", "shop.example")),
						Sender:    addrs(addr("Newsletter", "news", "shop.example")),
						ReplyTo:   addrs(addr("Newsletter", "news", "shop.example")),
						To:        addrs(addr("", "bob", "example.org")),
						MessageID: "deals-42@shop.example",
					},
					header: between("From: Newsletter", "boundary=\"inner\"\n\n"),
					text:   between("--inner\nContent-Type: text/plain", "--inner--\n"),
				}},
			{sec: "2.TEXT", typ: "MULTIPART/ALTERNATIVE", params: params("boundary", "inner")},
			{sec: "2.1", typ: "TEXT/PLAIN", params: params("charset", "utf-8"), enc: "7BIT", size: 6, lines: 0,
				body: lit("Deals!"), mime: lit("Content-Type: text/plain; charset=utf-8\n\n")},
			{sec: "2.2", typ: "TEXT/HTML", params: params("charset", "utf-8"), enc: "7BIT", size: 13, lines: 0,
				body: lit("<b>Deals!</b>"), mime: lit("Content-Type: text/html; charset=utf-8\n\n")},
		},
	},
	{
		// Attachments: RFC 2231 names, description, MD5, location,
		// language, Cc and Bcc, encoded words in ISO-8859-1 and UTF-8.
		file: "attachments.eml",
		msg: wantMsg{
			env: imap.Envelope{
				Date: date("Fri, 05 Jan 2024 16:30:00 +0100"), Subject: "Report Q4 and übersicht",
				From:      addrs(addr("Jörg Müller", "joerg", "example.de")),
				Sender:    addrs(addr("Jörg Müller", "joerg", "example.de")),
				ReplyTo:   addrs(addr("Jörg Müller", "joerg", "example.de")),
				To:        addrs(addr("Team", "team", "example.de")),
				Cc:        addrs(addr("", "boss", "example.de")),
				Bcc:       addrs(addr("", "archive", "example.de")),
				MessageID: "q4-report@example.de",
			},
			header: between("From: =?ISO", "Content-Language: de\n\n"),
			text:   between("--=-=-=mixed=-=-=\nContent-Type: text/plain", ""),
		},
		parts: []wantPart{
			{sec: "", typ: "MULTIPART/MIXED", params: params("boundary", "=-=-=mixed=-=-="), lang: []string{"de"}},
			{sec: "1", typ: "TEXT/PLAIN", params: params("charset", "ISO-8859-1"), enc: "QUOTED-PRINTABLE", size: 29, lines: 1,
				lang: []string{"de", "en"}, body: lit("Anbei der Bericht f=FCr Q4.\n"),
				mime: between("Content-Type: text/plain; charset=ISO-8859-1", "Content-Language: de, en\n\n")},
			{sec: "2", typ: "APPLICATION/PDF", params: params("name", "report-q4.pdf"), desc: "Quarterly report", enc: "BASE64",
				size: 64, lines: noLines, disp: "ATTACHMENT", dparams: params("filename", "report-q4.pdf", "size", "28"),
				loc:  "https://files.example.de/report-q4.pdf",
				body: lit("JVBERi0xLjQKJcfsj6IKMSAwIG9iago8PC9UeXBlL0NhdGFsb2c+PgplbmRvYmoK"),
				mime: between("Content-Type: application/pdf", "Content-Location: https://files.example.de/report-q4.pdf\n\n")},
			{sec: "3", typ: "APPLICATION/VND.OPENXMLFORMATS-OFFICEDOCUMENT.SPREADSHEETML.SHEET",
				params: params("name", "Übersicht 2024.xlsx"), enc: "BASE64", size: 20, lines: noLines,
				disp: "ATTACHMENT", dparams: params("filename", "Übersicht 2024.xlsx"),
				body: lit("UEsDBBQABgAIAAAAIQA="), mime: between("Content-Type: application/vnd.openxml", "filename*1*=2024.xlsx\n\n")},
			{sec: "4", typ: "TEXT/CSV", params: params("charset", "utf-8", "name", "data.csv"), enc: "7BIT", size: 12, lines: 1,
				disp: "ATTACHMENT", dparams: params("filename", "data.csv"),
				body: lit("a,b,c\n1,2,3"), mime: between("Content-Type: text/csv", "filename=\"data.csv\"\n\n")},
		},
	},
	{
		// Outlook: a TNEF winmail.dat attachment, quoted names with commas,
		// Content-Language on the multipart, disposition date params.
		file: "outlook-tnef.eml",
		msg: wantMsg{
			env: imap.Envelope{
				Date: date("Tue, 09 Jan 2024 14:03:12 +0000"), Subject: "RE: Budget 2024",
				From:      addrs(addr("Smith, John", "John.Smith", "contoso.example")),
				Sender:    addrs(addr("Smith, John", "John.Smith", "contoso.example")),
				ReplyTo:   addrs(addr("Smith, John", "John.Smith", "contoso.example")),
				To:        addrs(addr("Doe, Jane", "jane.doe", "fabrikam.example")),
				Cc:        addrs(addr("Team Alpha", "alpha", "contoso.example")),
				InReplyTo: []string{"AM0PR02MB5678@AM0PR02MB5678.outlook.example"},
				MessageID: "DB9PR01MB1234@DB9PR01MB1234.outlook.example",
			},
			header: between(`From: "Smith, John"`, "MIME-Version: 1.0\n\n"),
			text:   between("--_002_DB9PR01MB1234_\nContent-Type: text/plain", ""),
		},
		parts: []wantPart{
			{sec: "", typ: "MULTIPART/MIXED", params: params("boundary", "_002_DB9PR01MB1234_"), lang: []string{"en-US"}},
			{sec: "1", typ: "TEXT/PLAIN", params: params("charset", "us-ascii"), enc: "QUOTED-PRINTABLE", size: 46, lines: 4,
				body: lit("Hi Jane,=20\n\nsee the attached sheet.\n\nJohn"),
				mime: between(`Content-Type: text/plain; charset="us-ascii"`, "quoted-printable\n\n")},
			{sec: "2", typ: "APPLICATION/MS-TNEF", params: params("name", "winmail.dat"), desc: "winmail.dat", enc: "BASE64",
				size: 102, lines: noLines, disp: "ATTACHMENT",
				dparams: params("filename", "winmail.dat", "size", "48",
					"creation-date", "Tue, 09 Jan 2024 14:03:11 GMT", "modification-date", "Tue, 09 Jan 2024 14:03:11 GMT"),
				body: between("eJ8+IgEAAQ", "b3NvZnQgTWFpbC5Ob3RlADEI"),
				mime: between("Content-Type: application/ms-tnef", "Content-Transfer-Encoding: base64\n\n")},
		},
	},
	{
		// A calendar invitation: text/calendar with a method parameter in
		// an alternative, and the .ics attached; Sender and Reply-To set.
		file: "calendar.eml",
		msg: wantMsg{
			env: imap.Envelope{
				Date:      date("Tue, 09 Jan 2024 09:00:00 +0000"),
				Subject:   "Invitation: Sprint review @ Wed Jan 10, 2024 15:00 - 16:00 (UTC)",
				From:      addrs(addr("Organizer", "organizer", "example.com")),
				Sender:    addrs(addr("Calendar", "calendar-notification", "example.com")),
				ReplyTo:   addrs(addr("", "organizer", "example.com")),
				To:        addrs(addr("", "attendee", "example.org")),
				MessageID: "invite-7@calendar.example.com",
			},
			header: between("From: Organizer", "boundary=\"000000000000mixed\"\n\n"),
			text:   between("--000000000000mixed\nContent-Type: multipart/alternative", ""),
		},
		parts: []wantPart{
			{sec: "", typ: "MULTIPART/MIXED", params: params("boundary", "000000000000mixed")},
			{sec: "1", typ: "MULTIPART/ALTERNATIVE", params: params("boundary", "000000000000alt"),
				body: between("--000000000000alt\nContent-Type: text/plain", "--000000000000alt--"), // the CRLF after it belongs to the outer delimiter
				mime: lit("Content-Type: multipart/alternative; boundary=\"000000000000alt\"\n\n")},
			{sec: "1.1", typ: "TEXT/PLAIN", params: params("charset", "UTF-8", "format", "flowed", "delsp", "yes"),
				enc: "BASE64", size: 68, lines: 0,
				body: lit("U3ByaW50IHJldmlldwpXZWQgSmFuIDEwLCAyMDI0IDE1OjAwIC0gMTY6MDAgKFVUQykK"),
				mime: between(`Content-Type: text/plain; charset="UTF-8"; format=flowed`, "base64\n\n")},
			{sec: "1.2", typ: "TEXT/HTML", params: params("charset", "UTF-8"), enc: "QUOTED-PRINTABLE", size: 20, lines: 0,
				body: lit("<p>Sprint review</p>"), mime: between(`Content-Type: text/html; charset="UTF-8"`, "quoted-printable\n\n")},
			{sec: "1.3", typ: "TEXT/CALENDAR", params: params("charset", "UTF-8", "method", "REQUEST"), enc: "7BIT", size: 223, lines: 10,
				body: between("BEGIN:VCALENDAR\nPRODID", "END:VCALENDAR"), mime: between("Content-Type: text/calendar", "7bit\n\n")},
			{sec: "2", typ: "APPLICATION/ICS", params: params("name", "invite.ics"), enc: "BASE64", size: 40, lines: noLines,
				disp: "ATTACHMENT", dparams: params("filename", "invite.ics"),
				body: lit("QkVHSU46VkNBTEVOREFSCkVORDpWQ0FMRU5EQVIK"), mime: between("Content-Type: application/ics", "base64\n\n")},
		},
	},
	{
		// A message that is only an attachment (a scanner's PDF).
		file: "only-attachment.eml",
		msg: wantMsg{
			env: imap.Envelope{
				Date: date("Wed, 10 Jan 2024 07:30:00 +0100"), Subject: "Scanned document",
				From:      addrs(addr("", "scanner", "office.example")),
				Sender:    addrs(addr("", "scanner", "office.example")),
				ReplyTo:   addrs(addr("", "scanner", "office.example")),
				To:        addrs(addr("", "bob", "example.org")),
				MessageID: "scan-0001@office.example",
			},
			header: between("From: scanner", "base64\n\n"),
			text:   between("JVBERi0xLjQKJeLjz9MK", ""),
		},
		parts: []wantPart{
			{sec: "1", typ: "APPLICATION/PDF", params: params("name", "scan_0001.pdf"), enc: "BASE64", size: 108, lines: noLines,
				disp: "ATTACHMENT", dparams: params("filename", "scan_0001.pdf"),
				body: between("JVBERi0xLjQKJeLjz9MK", ""), mime: between("From: scanner", "base64\n\n")},
		},
	},
	{
		// A bounce: multipart/report with message/delivery-status (no
		// lines field) and the returned message/rfc822 (8bit).
		file: "bounce.eml",
		msg: wantMsg{
			env: imap.Envelope{
				Date: date("Thu, 11 Jan 2024 03:14:15 +0000"), Subject: "Undelivered Mail Returned to Sender",
				From:      addrs(addr("Mail Delivery System", "MAILER-DAEMON", "mx.example.net")),
				Sender:    addrs(addr("Mail Delivery System", "MAILER-DAEMON", "mx.example.net")),
				ReplyTo:   addrs(addr("Mail Delivery System", "MAILER-DAEMON", "mx.example.net")),
				To:        addrs(addr("", "sender", "example.com")),
				MessageID: "20240111031415.ABCDEF@mx.example.net",
			},
			header: between("Return-Path: <>", "Content-Transfer-Encoding: 8bit\n\n"),
			text:   between("This is a MIME-encapsulated", ""),
		},
		parts: []wantPart{
			{sec: "", typ: "MULTIPART/REPORT",
				params: params("report-type", "delivery-status", "boundary", "ABCDEF.1704942855/mx.example.net")},
			{sec: "1", typ: "TEXT/PLAIN", params: params("charset", "us-ascii"), desc: "Notification", enc: "7BIT", size: 176, lines: 4,
				body: between("I'm sorry", "User unknown\n"), mime: between("Content-Description: Notification", "charset=us-ascii\n\n")},
			{sec: "2", typ: "MESSAGE/DELIVERY-STATUS", desc: "Delivery report", enc: "7BIT", size: 214, lines: noLines,
				body: between("Reporting-MTA", "Diagnostic-Code: smtp; 550 5.1.1 User unknown\n"),
				mime: between("Content-Description: Delivery report", "message/delivery-status\n\n")},
			{sec: "3", typ: "MESSAGE/RFC822", desc: "Undelivered Message", enc: "8BIT", size: 165, lines: 7,
				body: between("From: Sender <sender", "Hello there.\n"),
				mime: between("Content-Description: Undelivered Message", "8bit\n\n"),
				msg: &wantMsg{
					env: imap.Envelope{
						Date: date("Thu, 11 Jan 2024 03:14:00 +0000"), Subject: "Hello",
						From:      addrs(addr("Sender", "sender", "example.com")),
						Sender:    addrs(addr("Sender", "sender", "example.com")),
						ReplyTo:   addrs(addr("Sender", "sender", "example.com")),
						To:        addrs(addr("", "nobody", "example.org")),
						MessageID: "hello-1@example.com",
					},
					header: between("From: Sender <sender", "<hello-1@example.com>\n\n"),
					text:   lit("Hello there.\n"),
				}},
			{sec: "3.1", typ: "TEXT/PLAIN", params: params("charset", "US-ASCII"), enc: "7BIT", size: 14, lines: 1,
				body: lit("Hello there.\n"), mime: between("From: Sender <sender", "<hello-1@example.com>\n\n")},
		},
	},
	{
		// multipart/digest: parts without a header default to
		// message/rfc822 (RFC 2046 5.1.5); no Date, no Message-ID.
		file: "digest.eml",
		msg: wantMsg{
			env: imap.Envelope{
				Subject: "Digest, Vol 1",
				From:    addrs(addr("", "list", "example.com")),
				Sender:  addrs(addr("", "list", "example.com")),
				ReplyTo: addrs(addr("", "list", "example.com")),
				To:      addrs(addr("", "members", "example.com")),
			},
			header: between("From: list@", "boundary=\"dig\"\n\n"),
			text:   between("--dig\n\nFrom: a@", ""),
		},
		parts: []wantPart{
			{sec: "", typ: "MULTIPART/DIGEST", params: params("boundary", "dig")},
			{sec: "1", typ: "MESSAGE/RFC822", enc: "7BIT", size: 42, lines: 3,
				body: lit("From: a@example.com\nSubject: first\n\none"), mime: lit("\n"),
				msg: &wantMsg{
					env: imap.Envelope{
						Subject: "first",
						From:    addrs(addr("", "a", "example.com")),
						Sender:  addrs(addr("", "a", "example.com")),
						ReplyTo: addrs(addr("", "a", "example.com")),
					},
					header: lit("From: a@example.com\nSubject: first\n\n"), text: lit("one"),
				}},
			{sec: "1.1", typ: "TEXT/PLAIN", params: params("charset", "US-ASCII"), enc: "7BIT", size: 3, lines: 0,
				body: lit("one"), mime: lit("From: a@example.com\nSubject: first\n\n")},
			{sec: "2", typ: "MESSAGE/RFC822", enc: "7BIT", size: 43, lines: 3,
				body: lit("From: b@example.com\nSubject: second\n\ntwo"), mime: lit("\n"),
				msg: &wantMsg{
					env: imap.Envelope{
						Subject: "second",
						From:    addrs(addr("", "b", "example.com")),
						Sender:  addrs(addr("", "b", "example.com")),
						ReplyTo: addrs(addr("", "b", "example.com")),
					},
					header: lit("From: b@example.com\nSubject: second\n\n"), text: lit("two"),
				}},
			{sec: "2.1", typ: "TEXT/PLAIN", params: params("charset", "US-ASCII"), enc: "7BIT", size: 3, lines: 0,
				body: lit("two"), mime: lit("From: b@example.com\nSubject: second\n\n")},
		},
	},
	{
		// Raw ISO-8859-1 octets in Subject and To (sent as literals), a
		// KOI8-R encoded word (go-imap's client cannot decode it and keeps
		// it as sent), an 8bit body.
		file: "charsets.eml",
		msg: wantMsg{
			env: imap.Envelope{
				Date: date("Sun, 07 Jan 2024 10:00:00 +0300"), Subject: "Caf\xe9 cr\xe8me",
				From:      addrs(addr("=?KOI8-R?B?8NLJ18XU?=", "ivan", "example.ru")),
				Sender:    addrs(addr("=?KOI8-R?B?8NLJ18XU?=", "ivan", "example.ru")),
				ReplyTo:   addrs(addr("=?KOI8-R?B?8NLJ18XU?=", "ivan", "example.ru")),
				To:        addrs(addr("\xe9mile", "emile", "example.fr")),
				MessageID: "latin@example.fr",
			},
			header: between("From: =?KOI8-R", "Content-Transfer-Encoding: 8bit\n\n"),
			text:   lit("Un caf\xe9 cr\xe8me, s'il vous pla\xeet.\n"),
		},
		parts: []wantPart{
			{sec: "1", typ: "TEXT/PLAIN", params: params("charset", "iso-8859-1"), enc: "8BIT", size: 33, lines: 1,
				body: lit("Un caf\xe9 cr\xe8me, s'il vous pla\xeet.\n"),
				mime: between("From: =?KOI8-R", "Content-Transfer-Encoding: 8bit\n\n")},
		},
	},
	{
		// Raw UTF-8 in header fields (RFC 6532 style), sent as literals.
		file: "utf8-headers.eml",
		msg: wantMsg{
			env: imap.Envelope{
				Date: date("Fri, 12 Jan 2024 11:11:11 +0100"), Subject: "Grüße aus Malmö ☕",
				From:      addrs(addr("Zoë Ångström", "zoe", "example.se")),
				Sender:    addrs(addr("Zoë Ångström", "zoe", "example.se")),
				ReplyTo:   addrs(addr("Zoë Ångström", "zoe", "example.se")),
				To:        addrs(addr("Jürgen", "juergen", "example.de")),
				MessageID: "utf8-1@example.se",
			},
			header: between("From: Zoë", "8bit\n\n"),
			text:   lit("Hej Jürgen, ☕ för dig.\n"),
		},
		parts: []wantPart{
			{sec: "1", typ: "TEXT/PLAIN", params: params("charset", "utf-8"), enc: "8BIT", size: 28, lines: 1,
				body: lit("Hej Jürgen, ☕ för dig.\n"), mime: between("From: Zoë", "8bit\n\n")},
		},
	},
	{
		// ISO-2022-JP: encoded words the client keeps as sent, a 7bit body
		// with escape sequences.
		file: "iso-2022-jp.eml",
		msg: wantMsg{
			env: imap.Envelope{
				Date: date("Sat, 13 Jan 2024 09:00:00 +0900"), Subject: "=?ISO-2022-JP?B?GyRCMnE1RCRON28bKEI=?=",
				From:      addrs(addr("=?ISO-2022-JP?B?GyRCOzNFREJATzobKEI=?=", "yamada", "example.jp")),
				Sender:    addrs(addr("=?ISO-2022-JP?B?GyRCOzNFREJATzobKEI=?=", "yamada", "example.jp")),
				ReplyTo:   addrs(addr("=?ISO-2022-JP?B?GyRCOzNFREJATzobKEI=?=", "yamada", "example.jp")),
				To:        addrs(addr("", "tanaka", "example.jp")),
				MessageID: "jp-1@example.jp",
			},
			header: between("From: =?ISO-2022-JP", "7bit\n\n"),
			text:   between("\x1b$B;3ED", ""),
		},
		parts: []wantPart{
			{sec: "1", typ: "TEXT/PLAIN", params: params("charset", "ISO-2022-JP"), enc: "7BIT", size: 58, lines: 2,
				body: between("\x1b$B;3ED", ""), mime: between("From: =?ISO-2022-JP", "7bit\n\n")},
		},
	},
	{
		// multipart/mixed without a boundary: text/plain (RFC 2045 5.2).
		file: "malformed.eml",
		msg: wantMsg{
			env: imap.Envelope{
				Subject: "malformed MIME",
				From:    addrs(addr("", "someone", "example.com")),
				Sender:  addrs(addr("", "someone", "example.com")),
				ReplyTo: addrs(addr("", "someone", "example.com")),
			},
			header: between("From: someone", "Content-Type: multipart/mixed\n\n"),
			text:   between("no boundary parameter", ""),
		},
		parts: []wantPart{
			{sec: "1", typ: "TEXT/PLAIN", params: params("charset", "US-ASCII"), enc: "7BIT", size: 104, lines: 5,
				body: between("no boundary parameter", ""), mime: between("From: someone", "Content-Type: multipart/mixed\n\n")},
		},
	},
	{
		// A multipart without its close delimiter; upper-case type and
		// encoding names in the header.
		file: "unterminated.eml",
		msg: wantMsg{
			env: imap.Envelope{
				Subject: "missing close delimiter",
				From:    addrs(addr("", "someone", "example.com")),
				Sender:  addrs(addr("", "someone", "example.com")),
				ReplyTo: addrs(addr("", "someone", "example.com")),
			},
			header: between("From: someone", "7BIT\n\n"),
			text:   between("--XYZ\nContent-Type: TEXT", ""),
		},
		parts: []wantPart{
			{sec: "", typ: "MULTIPART/MIXED", params: params("boundary", "XYZ")},
			{sec: "1", typ: "TEXT/PLAIN", params: params("charset", "US-ASCII"), enc: "7BIT", size: 5, lines: 0,
				body: lit("first"), mime: lit("Content-Type: TEXT/Plain; CHARSET=US-ASCII\n\n")},
			{sec: "2", typ: "APPLICATION/OCTET-STREAM", enc: "BASE64", size: 10, lines: noLines,
				body: lit("AAECAwQ=\n"), mime: between("Content-Type: application/octet-stream", "Base64\n\n")},
		},
	},
}
