package simulate

var loadFirstNames = []string{"maria", "dev", "aisha", "tom", "yuki", "lena", "omar", "sofia", "jonas", "priya",
	"mateo", "chloe", "kwame", "ines", "ravi", "emma", "luca", "hana", "noah", "zara", "felix", "amara",
	"oscar", "mei", "ben", "leila", "erik", "nadia", "sam", "ana", "ivan", "lucy", "hugo", "tara", "kai", "rosa"}

var loadLastNames = []string{"kim", "ortiz", "nguyen", "smith", "okafor", "muller", "rossi", "tanaka", "silva",
	"cohen", "dubois", "patel", "larsen", "khan", "novak", "garcia", "brown", "ito", "costa", "weber"}

// The words of the synthetic traffic. Openers are long enough that a normal
// exchange passes the 250-character rule; the short ones are not.
var (
	loadCustomerOpen = []string{
		"Hi! Our CSV export has been failing since this morning with a timeout after about thirty seconds, for every report we try, even small ones.",
		"Hello, I was charged twice for the annual plan this month and I can't find a way to get the second payment refunded from the billing page.",
		"Since yesterday's update the mobile app logs me out every few minutes, and I have to type my password again each time. It's driving the team mad.",
		"We invited three new colleagues last week but none of them received the invitation email, and the pending invites don't show up in the admin panel.",
		"Can you help me connect our Slack workspace? The integration page says 'authorisation failed' right after I approve the permissions in Slack.",
		"I'd like to move our account from the monthly to the yearly plan, but keep the same seats. Is there a discount, and will the switch reset our usage data?",
		"The dashboard shows numbers that don't match our own database: yesterday's sign-ups are off by about twenty percent. Is there a delay in the sync?",
		"Our webhook endpoint stopped receiving events around 3 am UTC. Nothing changed on our side and the delivery log in your app is empty.",
		"Hi there 👋 how do I change the language of the customer-facing emails? Our customers are mostly in Germany and the templates are all in English.",
		"I deleted a project by mistake this afternoon. It had two years of notes in it. Is there any way to restore it from a backup, please?",
		"The search in the help center returns nothing for words that clearly appear in our articles, for example 'invoice' or 'refund'. Is indexing broken?",
		"We need an invoice with our VAT number on it for last quarter's payments; the finance team can't accept the ones we downloaded without it.",
	}
	loadCustomerFollow = []string{
		"Thanks, I tried that but it still fails the same way. I've attached a screenshot of the error we see in the browser console.",
		"OK, that worked for the first report, but the larger one still times out. Could it be the number of columns?",
		"Got it. Do I need to do anything on our side, or will it apply automatically to every user in the workspace?",
		"Just checked again and it's happening on two other laptops too, with Chrome and Firefox, so it's not my browser.",
		"Thanks for the quick answer! One more thing: will this also fix the scheduled exports we send every Monday?",
		"Hmm, I don't see that option in my settings. Maybe my role doesn't allow it? I'm an editor, not an owner.",
		"Alright, I've asked our IT team to whitelist the addresses you sent. I'll let you know once it's done.",
	}
	loadCustomerShort  = []string{"Hi, is the app down?", "thanks", "ok 👍", "Any update?", "Hello?", "Great, thx", "Still broken", "password reset pls"}
	loadCustomerThanks = []string{"Thank you, that fixed it!", "Perfect, thanks a lot 🙏", "Ok I'll check and come back if needed.", "Thanks!"}
	loadCustomerReopen = []string{
		"Sorry to reopen this, but the problem came back this morning after we restarted the server. Same error as before.",
		"Hi again, one more question about this: does the fix also cover the API exports, or only the ones from the web app?",
		"Unfortunately it's happening again for one of our users. Could you have another look?",
	}
	loadTeammateReplies = []string{
		"Thanks for the details! I can reproduce it on our side. A fix is being deployed now; exports should work again in about ten minutes. I'll confirm here.",
		"Sorry about that! I've refunded the duplicate charge; it can take three to five business days to show on your statement. Anything else I can help with?",
		"Good catch, that's a bug in the last release. Our engineers rolled it back an hour ago, so logging in again should keep you signed in from now on.",
		"I've resent the invitations by hand and they should arrive within a few minutes. If they don't, please check the spam folder and let me know.",
		"You can change it under Settings → Workspace → Language. Each template has its own language switch at the top right; I've set German for you already.",
		"I've restored the project from last night's backup. Notes written today after 2 am aren't in it, unfortunately, but everything older is back.",
		"The sync runs every six hours, so the last batch wasn't in yet. I've triggered a manual sync and the numbers should match within the hour.",
		"I've added the VAT number to your billing profile and regenerated the invoices for the last quarter; you'll find them under Billing → Invoices.",
	}
	loadTeammateShort = []string{"On it!", "Done ✅", "Sure, fixed.", "Yes, that's expected.", "Restarted it, try now.", "Sent!"}
	loadNotes         = []string{"Customer is on the enterprise plan, handle with care.", "Checked the logs: 504s from the export worker.", "Second time this month for this account.", "Asked engineering in #support-escalations."}
	loadFinAnswers    = []string{
		"I found an article that should help: 'Fixing failed exports'. It walks through the timeout settings step by step.",
		"You can reset your password from the login page with 'Forgot password'. The link in the email is valid for one hour.",
		"Refunds for duplicate charges are automatic within 5 days. Would you like me to connect you with the billing team?",
	}
	loadWorkflowGreetings = []string{
		"Hi! 👋 Thanks for trying the new reports. Anything we can help you with?",
		"Your trial ends in three days. Want a hand setting up your workspace before then?",
		"We noticed your last import failed. Reply here and the team will take a look.",
	}
	loadDirectOpeners = []string{
		"Hi! I noticed your team's exports have been timing out since Monday. We've shipped a fix; could you try again and tell me if it works now?",
		"Hello, I'm following up on the billing question you raised on the phone yesterday. I've prepared the corrected invoice and attached it here.",
		"Hi, your account has hit the seat limit and two invitations are waiting. Would you like me to add seats or remove inactive members first?",
	}
	loadHappyComments   = []string{"Quick and clear, thank you!", "Super helpful, solved in minutes.", "Great support as always 🙌", "Really appreciated the follow-up.", "Friendly and fast, thanks!", "Exactly what I needed."}
	loadNeutralComments = []string{"Fixed, but it took a while.", "OK, though I had to explain it twice.", "Answer was fine, the wait was long."}
	loadUnhappyComments = []string{"Took three days to get an answer.", "The problem isn't solved, you just closed it.", "Nobody read my message properly.", "Very slow and the fix didn't work.", "I was sent a generic article that didn't help at all.", "Rude reply and no solution."}
	loadFollowUpNotes   = []string{"Called the customer, apologised and escalated the bug.", "Emailed with a workaround and a credit.", "Spoke with the teammate about tone; customer contacted."}
)
