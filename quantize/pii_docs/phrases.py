"""Phrase pools the documents are composed from, split so the test split never sees train's.

Every pool is cut by position: items 0-2 of each group of five train, item 3 validates and item
4 is test-only. So "test" documents are built from sentences, field names, subjects and
look-alike words no training document contains: its F1 measures how far the model generalises
past the phrasing it was trained on, not recall of it. Slots in braces are filled while the
document is assembled (``quantize.pii_docs.compose``): upper case slots are entities (``{P}`` a
person, ``{ORG}``, ``{DATE}``...), lower case slots are unlabelled look-alikes (``{order}``,
``{year}``, ``{genre}``...).
"""

from __future__ import annotations

SPLITS = ("train", "val", "test")


def split_pool(items: tuple[str, ...], split: str) -> tuple[str, ...]:
    """The items of one split: positions 0-2 of every five train, 3 val, 4 test."""
    if len(items) < 5:
        raise ValueError(f"a phrase pool needs at least 5 items to split, got {items!r}")
    want = {"train": (0, 1, 2), "val": (3,), "test": (4,)}[split]
    return tuple(x for i, x in enumerate(items) if i % 5 in want)


# ---------------------------------------------------------------- field names (forms, CSV, JSON)
FIELD_KEYS: dict[str, tuple[str, ...]] = {
    "PERSON": ("Name", "Full name", "Customer", "Client", "Contact", "Patient", "Employee",
               "Applicant", "Account holder", "Nombre", "Name des Kunden", "Nom", "Passenger",
               "Guest", "Recipient", "Cardholder", "Tenant", "Member", "Attendee", "Requester"),
    "EMAIL_ADDRESS": ("Email", "E-mail", "Mail", "Email address", "Contact email", "Correo",
                      "E-Mail-Adresse", "Courriel", "Work email", "Reply-To"),
    "PHONE_NUMBER": ("Phone", "Tel", "Tel.", "Mobile", "Cell", "Telephone", "Teléfono",
                     "Telefon", "Contact number", "Phone no.", "Handy", "Mob.", "Fax",
                     "Daytime phone", "WhatsApp"),
    "STREET_ADDRESS": ("Address", "Home address", "Shipping address", "Billing address",
                       "Adresse", "Dirección", "Mailing address", "Street", "Residence",
                       "Delivery address"),
    "LOCATION": ("City", "Town", "Country", "Location", "Region", "Ciudad", "Place of birth",
                 "Based in", "Origin", "Destination"),
    "ORGANIZATION": ("Company", "Employer", "Organisation", "Organization", "Account",
                     "Firma", "Vendor", "Supplier", "Insurer", "Bank", "Agency", "Client company",
                     "Empresa", "Société", "Carrier"),
    "DATE_TIME": ("Date", "Created", "Updated", "Submitted", "Appointment", "Start date",
                  "Due", "Visit date", "Fecha", "Datum", "Last login", "Signed on", "Admitted",
                  "Received", "Scheduled"),
    "DOB": ("DOB", "Date of birth", "Born", "Birth date", "Geburtsdatum", "D.O.B.",
            "Fecha de nacimiento", "Birthday", "Date de naissance", "BirthDate"),
    "CREDIT_CARD": ("Card", "Card number", "Credit card", "Card no.", "PAN", "Debit card",
                    "Tarjeta", "Kartennummer", "Payment card", "CC"),
    "IBAN_CODE": ("IBAN", "Bank account", "Account (IBAN)", "IBAN no.", "Kontonummer",
                  "Compte", "Beneficiary IBAN", "Cuenta", "Payout account", "IBAN/BIC"),
    "US_SSN": ("SSN", "Social Security No.", "SSN#", "Social security number", "SS No.",
               "Tax ID (SSN)", "SocSec", "SSN (last verified)", "Soc. Sec. #", "ssn_full"),
    "IP_ADDRESS": ("IP", "IP address", "Client IP", "Source IP", "Remote addr", "Login IP",
                   "Origin IP", "Host IP", "Peer", "Last IP"),
    "URL": ("Website", "URL", "Link", "Web", "Homepage", "Profile", "Portfolio", "Site",
            "Callback URL", "Page"),
}  # fmt: skip

CSV_COLUMNS: dict[str, tuple[str, ...]] = {
    "PERSON": ("name", "full_name", "customer_name", "contact", "patient_name", "employee",
               "owner", "client", "holder", "traveler"),
    "EMAIL_ADDRESS": ("email", "email_address", "mail", "contact_email", "user_email"),
    "PHONE_NUMBER": ("phone", "phone_number", "tel", "mobile", "msisdn"),
    "STREET_ADDRESS": ("address", "street_address", "addr", "ship_to", "home_address"),
    "LOCATION": ("city", "country", "region", "location", "town"),
    "ORGANIZATION": ("company", "employer", "org", "account_name", "vendor"),
    "DATE_TIME": ("date", "created_at", "signup_date", "updated_at", "visit_date"),
    "DOB": ("dob", "birth_date", "date_of_birth", "birthdate", "born"),
    "CREDIT_CARD": ("card_number", "cc_number", "pan", "card", "payment_card"),
    "IBAN_CODE": ("iban", "bank_account", "iban_number", "account_iban", "payout_iban"),
    "US_SSN": ("ssn", "social_security", "ssn_number", "tax_ssn", "soc_sec"),
    "IP_ADDRESS": ("ip", "ip_address", "client_ip", "remote_addr", "src_ip"),
    "URL": ("url", "website", "link", "profile_url", "homepage"),
}  # fmt: skip

# Unlabelled columns and fields: ids, amounts, statuses (look-alikes of PII)
NEG_FIELDS: tuple[tuple[str, str], ...] = (
    ("Order", "{order}"), ("Ticket", "{ticket}"), ("SKU", "{sku}"), ("Amount", "{amount}"),
    ("Status", "{status}"), ("Tracking", "{tracking}"), ("Version", "{version}"),
    ("Employee ID", "{n5}"), ("Department", "{dept}"), ("Plan", "{plan}"), ("Qty", "{qty}"),
    ("Reference", "{ref}"), ("Priority", "{priority}"), ("Category", "{category}"),
    ("Year", "{year}"), ("Policy no.", "{policy}"), ("Room", "{room}"), ("MRN", "{mrn}"),
    ("Case", "{case}"), ("Gift card", "{gift}"), ("Card ending", "{last4}"),
    ("Expiry", "{expiry}"), ("Quarter", "{quarter}"), ("Username", "{user}"),
    ("Host", "{host}"), ("Job title", "{title}"), ("Region code", "{n5}"),
    ("Invoice", "{invoice}"), ("Total", "{amount}"), ("Product", "{product}"),
)  # fmt: skip
NEG_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "{n5}"), ("order_id", "{order}"), ("sku", "{sku}"), ("amount", "{amount}"),
    ("status", "{status}"), ("plan", "{plan}"), ("qty", "{qty}"), ("dept", "{dept}"),
    ("ticket", "{ticket}"), ("score", "{pct}"), ("tier", "{plan}"), ("year", "{year}"),
    ("category", "{category}"), ("version", "{version}"), ("last4", "{last4}"),
)  # fmt: skip

# ---------------------------------------------------------------- e-mail
SUBJECTS = (
    "Re: your order {order}", "Invoice {invoice}", "Quick question", "Meeting follow-up",
    "Contract renewal", "Fwd: travel plans", "Re: Re: access request", "Updated proposal",
    "Welcome aboard!", "Your appointment", "Action needed: verify your details",
    "Re: shipping delay", "Q3 budget review", "Reference letter", "Lunch?", "Onboarding docs",
    "Payment received", "Re: complaint {ticket}", "Introduction", "Change of address",
    "Out of office", "Re: the lease", "Project {heading}", "Visa paperwork", "Thanks again",
    "Summary of our call", "Password reset", "Statement for {month}", "Re: {product} return",
    "Interview schedule", "Claim {case}", "Follow up: {heading}", "Your new card",
    "Reminder: documents due", "Re: {genre} night", "Catering quote",
    "Fw: vendor onboarding", "Parking permit", "Re: offer letter", "Delivery confirmation",
)  # fmt: skip
GREETINGS = (
    "Hi {F},", "Hello {F},", "Dear {P},", "Hey {F}!", "Good morning {F},", "Dear {T} {L},",
    "Hi all,", "Hello team,", "Dear Sir or Madam,", "{F},", "Hi there,", "Hallo {F},",
    "Bonjour {F},", "Hola {F},", "Dear colleagues,", "Hiya {F},", "Good afternoon,",
    "To whom it may concern,", "Morning {F} -", "Ciao {F},",
)  # fmt: skip
CLOSINGS = (
    "Best regards,", "Kind regards,", "Thanks,", "Cheers,", "Best,", "Regards,", "Thank you,",
    "Warm regards,", "Many thanks,", "Sincerely,", "Mit freundlichen Grüßen", "Cordialement,",
    "Saludos,", "All the best,", "Thanks!", "Talk soon,", "Yours sincerely,", "BR,", "--",
    "Respectfully,",
)  # fmt: skip
EMAIL_BODY = (
    "I'm following up on the call with {P} from {ORG} on {DATE}.",
    "Please find attached the signed agreement; the originals go to {ADDR}.",
    "Could you send the updated figures by {DATE}? {F} needs them for the board pack.",
    "We have moved the kickoff to {DT}. Let me know if that works for you.",
    "The delivery for order {order} left our warehouse in {LOC} this morning.",
    "Our new office is at {ADDR}, a short walk from the station.",
    "You can reach me on {PHONE} until {TIME}, or by email at {EMAIL}.",
    "I've copied {P} from our legal team, who will handle the paperwork.",
    "Your refund of {amount} will be wired to {IBAN} within five working days.",
    "The card ending {last4} was declined again, so we tried {CARD} as you suggested.",
    "Thanks for meeting with us in {LOC} last week, it was great to finally meet in person.",
    "Attached is the {heading} deck; see slide 4 for the {quarter} numbers.",
    "{ORG} has agreed to the revised terms, and {P} will countersign on {DATE}.",
    "The portal is at {URL} and your temporary login expires at {TIME}.",
    "As discussed, {F} will take over the {dept} handover from {DATE}.",
    "Sorry for the slow reply, I was travelling to {LOC} for the {year} conference.",
    "Please update my mailing address to {ADDR} and my number to {PHONE}.",
    "Our records show a login from {IP} at {DT} that we could not match to you.",
    "I've asked {ORG} for a quote for {qty} units of the {product}.",
    "We need the W-9 with your SSN ({SSN}) before the first payment can go out.",
    "The invoice {invoice} for {amount} is due on {DATE}; payment details are below.",
    "{P} recommended you as someone who knows the {category} market well.",
    "Let's keep {weekday} morning free for the review with {ORG}.",
    "I reviewed the {version} release notes and nothing affects your integration.",
    "Please ship the samples to {P}, {ADDR}.",
    "The contract with {ORG} renews automatically on {DATE} unless we give notice.",
    "My flight lands in {LOC} at {TIME}, so I can join the dinner afterwards.",
    "Could you confirm whether {EMAIL} is still the best address for {F}?",
    "All {qty} boxes arrived, but tracking {tracking} still shows them in transit.",
    "We have set up a shared folder: {URL}",
    "For the background check we need your date of birth ({DOB}) and current address.",
    "Happy to help; {F} in our {dept} team is copied and will call you on {PHONE}.",
    "No rush on this, anytime before the end of {quarter} is fine.",
    "The venue is {ORG}, {ADDR}; doors open at {TIME}.",
    "I noticed our {genre} playlist is still on the shared account, can you remove it?",
)
QUOTE_HEADERS = (
    "On {DT}, {P} <{EMAIL}> wrote:",
    "-----Original Message-----\nFrom: {P}\nSent: {DT}\nTo: {EMAIL}\nSubject: {subject}",
    "Am {DT} schrieb {P} <{EMAIL}>:",
    "From: {P} <{EMAIL}>\nDate: {DT}",
    "Le {DT}, {P} a écrit :",
    "On {DATE} at {TIME} {P} wrote:",
    "El {DATE}, {P} escribió:",
    "> On {DT}, {EMAIL} wrote:",
    "----- Forwarded message -----\nFrom: {P} <{EMAIL}>\nDate: {DT}",
    "Sent from my phone. On {DATE} {P} wrote:",
)

# ---------------------------------------------------------------- chat
CHAT_MSGS = (
    "hey are you free {weekday}?",
    "can you send me {F}'s number",
    "it's {PHONE}",
    "meet at {ADDR}?",
    "running 10 min late sorry",
    "ok see you at {TIME}",
    "did {ORG} ever reply",
    "my new email is {EMAIL}",
    "lol yes",
    "where r u",
    "just landed in {LOC}",
    "can u pick up {F} from {STREET} at {TIME}",
    "the wifi password is on the fridge",
    "{P} says hi",
    "pls call me back {PHONE}",
    "sending the link now {URL}",
    "ugh the {product} broke again",
    "ordered, #{order}",
    "happy birthday {F}!!",
    "we moved to {ADDR}",
    "thx!",
    "is the meeting still on {DATE}",
    "btw {F} starts at {ORG} next week",
    "whats the address again",
    "{ADDR}",
    "i paid with {CARD} dont tell anyone haha",
    "server {IP} is down again",
    "kk",
    "call {P} on {PHONE} about the flat",
    "can you watch {genre} stuff tonight",
    "the {heading} doc is in the drive",
    "who is {F}?",
    "my bank is {ORG} not the other one",
    "got the tickets for {DT}",
    "ask {F} and {F} if they're coming",
    "{FLIST} r coming too",
    "dinner w {FLIST} at {TIME}?",
    "tell {FLIST} the plan changed",
    "who's driving? {FLIST} need a lift",
    "{FLIST} said yes",
)

# ---------------------------------------------------------------- support tickets
TICKET_DESC = (
    "Customer {P} reports that the {product} stopped working after the {version} update.",
    "Caller could not log in from {IP}; account locked at {DT}.",
    "Refund requested for order {order}, paid with card {CARD}.",
    "Package sent to {ADDR} was returned to sender.",
    "User asks to change the email on file to {EMAIL} and the phone to {PHONE}.",
    "Duplicate charge of {amount} on {DATE}; customer banks with {ORG}.",
    "Technician visit booked for {DT} at {ADDR}.",
    "{P} from {ORG} wants the invoices sent to {EMAIL} from now on.",
    "Webhook to {URL} returns {status} since {DT}.",
    "Customer moved from {LOC} to {LOC} and needs the billing region changed.",
    "Direct debit from {IBAN} failed twice; please contact {P}.",
    "Escalated by {F} in {dept}. Priority {priority}.",
    "Caller verified with date of birth {DOB} and postcode; SSN on file {SSN}.",
    "The {category} page shows the wrong price for {sku}.",
    "Tracking number {tracking} has not updated since {DATE}.",
    "Requester {P} needs access to the {heading} workspace.",
    "Error {code} when uploading from {IP}.",
    "Spoke to {P} ({PHONE}); will call back {weekday}.",
    "No customer data in this ticket: build {version} fails on the {genre} catalogue import.",
    "Please merge with ticket {ticket}.",
)
AGENT_REPLIES = (
    "Hi {F}, thanks for reaching out. I've escalated this to our {dept} team.",
    "We've issued a refund of {amount}; it should appear within {qty} business days.",
    "Hello {F}, could you confirm the address we should ship the replacement to?",
    "This has been fixed in {version}. Please let us know if it happens again.",
    "Thanks {F}, the technician will call you on {PHONE} before arriving.",
    "Closing as duplicate of {ticket}.",
    "Dear {P}, your request has been approved by {P}.",
    "We've updated your details. - {F}, {ORG} Support",
    "I'm sorry for the trouble. A new card will be posted to {ADDR}.",
    "Resolved on {DATE}. Reference {ref}.",
)

# ---------------------------------------------------------------- notes (medical / legal / HR)
MED_NOTES = (
    "Pt {P}, DOB {DOB}, seen on {DATE} for follow-up of hypertension.",
    "Referred by Dr. {L} at {ORG}.",
    "Next appointment {DT}; reminder to {PHONE}.",
    "Lives with daughter {F} at {ADDR}.",
    "Emergency contact: {P} ({PHONE}).",
    "BP 138/86, HR 72. Continue lisinopril 10 mg. MRN {mrn}.",
    "Insurance: {ORG}, policy {policy}.",
    "Patient travelled to {LOC} in {month}; no symptoms since.",
    "Labs drawn {DT}. Results to be sent to {EMAIL}.",
    "Discussed plan with {P} and her husband {F}.",
    "Room {room}, bed 2. Admitted {DT} via A&E.",
    "Allergies: penicillin. Blood type O+. Weight 71 kg.",
    "Seen by {T} {L} on the ward round.",
    "Pharmacy: {ORG}, {ADDR}.",
    "Discharged {DATE} to home; GP {P} informed.",
)
LEGAL_NOTES = (
    "Case {case}: {P} v. {ORG}.",
    "Hearing set for {DT} at the {LOC} District Court.",
    "Counsel for the plaintiff, {P} of {ORG}, filed the motion on {DATE}.",
    "The defendant resides at {ADDR}.",
    "Witness {P} was deposed on {DATE}.",
    "Settlement of {amount} to be paid into {IBAN} by {DATE}.",
    "Service was effected on {P} at {ADDR} on {DT}.",
    "The lease between {ORG} and {P} commenced on {DATE}.",
    "Exhibit {qty}: emails from {EMAIL} dated {DATE}.",
    "Notary: {P}, commission expires {year}.",
    "Per clause {qty}.{qty}, notice must be given in writing to {ORG}.",
    "Opposing counsel can be reached at {PHONE}.",
    "Matter reference {ref}; billing partner {P}.",
    "The parties met in {LOC} on {DATE} and agreed the following.",
    "Signed for and on behalf of {ORG} by {P}, Director.",
)
HR_NOTES = (
    "Employee: {P}, {title}, {dept}.",
    "Start date {DATE}; probation ends {DATE}.",
    "Manager {P} approved the transfer to the {LOC} office.",
    "Salary adjusted to {amount} effective {DATE}.",
    "Home address updated to {ADDR}.",
    "Payroll account changed to {IBAN}.",
    "Reference check with {P} at {ORG} completed on {DATE}.",
    "Annual leave: {qty} days taken, {qty} remaining.",
    "Exit interview scheduled for {DT} with {F} from HR.",
    "SSN {SSN} verified against the I-9 on {DATE}.",
    "Emergency contact {P}, {PHONE}.",
    "Previous employer: {ORG} ({year} to {year}).",
    "Performance review: meets expectations in {category}.",
    "Relocation from {LOC} approved; moving company {ORG}.",
    "Training: {heading} completed {DATE}.",
)

# ---------------------------------------------------------------- meeting notes / CRM / prose
AGENDA_ITEMS = (
    "{heading}",
    "Budget for {quarter}",
    "Hiring plan for {dept}",
    "Roadmap: {product}",
    "Vendor review ({ORG})",
    "Office move to {ADDR}",
    "Customer feedback from {LOC}",
    "{category} pricing",
    "Release {version}",
    "AOB",
    "Q&A",
    "Offsite in {LOC}",
    "Partnership with {ORG}",
    "Security review",
    "Retro",
)
ACTIONS = (
    "{F} to send the revised draft to {ORG} by {DATE}.",
    "{P} will book the room for {DT}.",
    "{F}: follow up with {P} ({EMAIL}).",
    "Ask {ORG} for the {quarter} forecast.",
    "{F} and {F} to review the {heading} section.",
    "Call {P} on {PHONE} re: contract.",
    "Move the launch to {DATE}.",
    "{F} owns the {dept} budget until {month}.",
    "Share the recording: {URL}",
    "Next meeting {DT}.",
    "{FLIST} to draft the {heading} by {weekday}.",
    "Thanks {FLIST} for the demo.",
    "{FLIST}: review pricing with {ORG}.",
    "Invite {FLIST} to the {quarter} planning.",
    "{FLIST} out next week; {F} covers.",
)
CRM_NOTES = (
    "Met {P} at the {LOC} trade fair; interested in the {plan} plan.",
    "Called {PHONE}, left voicemail.",
    "Decision maker is {P}; procurement via {EMAIL}.",
    "Renewal due {DATE}. Current spend {amount}.",
    "Competitor: {ORG}.",
    "Sent proposal {ref} on {DATE}.",
    "Prefers contact after {TIME}.",
    "HQ moved to {ADDR}.",
    "Intro from {P} ({ORG}).",
    "Demo booked for {DT} with {F} and {F}.",
)
PROSE = (
    "{P} grew up in {LOC} and joined {ORG} in {year}.",
    "On {DATE}, {P} and {P} signed the lease for the flat at {ADDR}.",
    "The {genre} festival returns to {LOC} this summer, with tickets from {amount}.",
    "{ORG} announced on {DATE} that it would open a new site near {LOC}.",
    "According to {P}, the {heading} report was delayed by a week.",
    "After leaving {ORG}, {F} moved to {LOC} to start a bakery.",
    "Readers of {mag} voted the {product} the best buy of {year}.",
    "My neighbour {F} works nights at {ORG}, so we rarely see each other.",
    "The parcel for {P} was left at {ADDR} on {DT}.",
    "{P}, a nurse from {LOC}, was first to reach the scene.",
    "In {year}, {ORG} and {ORG} merged to form one of the largest firms in the region.",
    "{F} called from {PHONE} to say the train was late.",
    "The {category} section of the store was reorganised in {month}.",
    "We stayed with {F}'s cousins in {LOC} for a week.",
    "{P} founded {ORG} with two friends from university.",
    "The charity run, organised by {ORG}, starts at {TIME} on {DATE}.",
    "Her sister {F} still lives in {LOC}.",
    "The {heading} chapter covers {category} in detail.",
    "{P} ({EMAIL}) chairs the residents' committee.",
    "A spokesperson for {ORG} declined to comment.",
    "{FLIST} are coming to the barbecue on {DATE}.",
    "Thanks to {FLIST} for organising the {heading} workshop.",
    "The kids, {FLIST}, start school in {LOC} in September.",
    "{FLIST} all worked at {ORG} before {year}.",
    "Invited: {FLIST}. Venue: {ADDR}.",
)

# ---------------------------------------------------------------- hard negatives (no PII)
GENRES = (
    "Science Fiction", "True Crime", "Jazz Fusion", "Romantic Comedy", "Hard Rock",
    "Film Noir", "Young Adult", "Literary Fiction", "Deep House", "Country Western",
    "Space Opera", "Cozy Mystery", "Progressive Metal", "Historical Fiction", "Bossa Nova",
    "Dark Fantasy", "Magical Realism", "Indie Pop", "Psychological Thriller", "Neo Soul",
    "Urban Fantasy", "Baroque Chamber Music", "Spaghetti Western", "Alt Country", "Cyberpunk",
)  # fmt: skip
MAGAZINES = (
    "Garden Monthly", "The Weekend Review", "Modern Angler", "Practical Woodworking",
    "Home Chef Quarterly", "Trail Runner", "Classic Motoring", "Digital Photography Today",
    "The Collector", "Urban Living", "Coastal Sailing", "Vintage Guitar World",
    "The Literary Supplement", "Retro Gamer Weekly", "Healthy Living", "Parenting Today",
    "Bird Watching Journal", "The Quilter", "Wine Cellar Notes", "Modern Architecture Review",
    "Cycling Weekly Digest", "The Model Railway", "Astronomy Now And Then", "Knit & Purl",
    "Mountain Life",
)  # fmt: skip
HEADINGS = (
    "Quarterly Results", "Terms And Conditions", "Getting Started", "Release Notes",
    "Executive Summary", "Frequently Asked Questions", "Risk Assessment", "Next Steps",
    "Table Of Contents", "Action Items", "Key Findings", "Privacy Notice", "Scope Of Work",
    "Lessons Learned", "Project Overview", "Customer Journey", "Data Retention Policy",
    "Annual Report", "Market Analysis", "Safety Instructions", "Open Questions",
    "Strategic Priorities", "Budget Overview", "Acceptance Criteria", "Known Issues",
)  # fmt: skip
CATEGORIES = (
    "Home & Garden", "Health & Beauty", "Sports & Outdoors", "Office Supplies", "Pet Care",
    "Baby & Kids", "Consumer Electronics", "Kitchen & Dining", "Arts & Crafts", "Automotive",
    "Books & Media", "Fresh Produce", "Personal Finance", "Travel Accessories", "Smart Home",
    "Fine Jewellery", "Party Supplies", "Musical Instruments", "Camping Gear", "Frozen Foods",
)  # fmt: skip
PRODUCTS = (
    "UltraBoost Pro 3", "Smart Kettle", "Comfort Plus Mattress", "AirPure 500 filter",
    "Standing Desk XL", "Noise Cancelling Headphones", "Espresso Master", "TrailBlazer Backpack",
    "Galaxy Tab case", "Ergo Chair V2", "Mesh Wi-Fi Router", "Cast Iron Skillet",
    "Robot Vacuum S7", "Yoga Mat Deluxe", "Electric Toothbrush", "Smart Thermostat",
    "Winter Parka", "Gaming Mouse G5", "Air Fryer Max", "Solar Power Bank",
    "Bluetooth Speaker Mini", "Monitor Arm Duo", "Trail Shoes 2", "Crystal Water Bottle",
    "Office Suite licence",
)  # fmt: skip
DEPARTMENTS = (
    "Human Resources", "Accounts Payable", "Customer Success", "Legal", "Procurement",
    "Research And Development", "Facilities", "Internal Audit", "Marketing", "IT Support",
    "Quality Assurance", "Business Development", "Payroll", "Compliance", "Logistics",
    "Public Relations", "Product Management", "Data Science", "Investor Relations", "Security",
)  # fmt: skip
JOB_TITLES = (
    "Senior Software Engineer", "Head of Procurement", "Account Manager", "Chief Financial Officer",
    "Registered Nurse", "Paralegal", "Operations Director", "Customer Support Lead",
    "Marketing Coordinator", "Data Analyst", "Office Manager", "Sales Executive",
    "HR Business Partner", "Project Manager", "Research Scientist", "Managing Director",
    "Product Designer", "Legal Counsel", "Warehouse Supervisor", "VP Engineering",
)  # fmt: skip
COMMON_CAPS = (
    "Monday Motivation", "Black Friday", "New Year Sale", "Summer Reading List", "Team Building",
    "Green Energy", "Customer Service", "Open Day", "Mother's Day", "Spring Cleaning",
    "Annual General Meeting", "Happy Hour", "Fire Drill", "World Cup", "Parent Evening",
    "Board Meeting", "Cyber Monday", "Bank Holiday", "Christmas Party", "Press Release",
)  # fmt: skip
NEG_SENTENCES = (
    "Our {category} range now includes the {product}, from {amount}.",
    "{heading}",
    "Order {order} has shipped; tracking {tracking}.",
    "Release {version} fixes {qty} bugs in the {category} module.",
    "Top picks in {genre} this week.",
    "Subscribe to {mag} for {amount} a year.",
    "The {dept} team meets every {weekday} in room {room}.",
    "Please quote ticket {ticket} in all correspondence.",
    "Item {sku} is back in stock ({qty} left).",
    "Sales grew {pct} in {quarter} compared with {year}.",
    "Gift card {gift} has a balance of {amount}.",
    "Your card ending in {last4} expires {expiry}.",
    "{title} wanted for our {dept} team.",
    "Best of {genre}: {qty} albums you missed in {year}.",
    "Reminder: the {heading} is due next week.",
    "Invoice {invoice}: {qty} x {product} = {amount}.",
    "Service window: host {host}, build {version}, status {status}.",
    "Read the {mag} review of the {product}.",
    "Zip the files and upload them to the {dept} folder by end of {quarter}.",
    "Tracking {tracking} · weight 2.4 kg · {qty} parcels.",
    "Error {code}: request id {uuid} failed after {qty} retries.",
    "Tickets for the {genre} night cost {amount}; doors at eight.",
    "Part no. {n5} fits models from {year} onwards.",
    "The Tenant shall pay the Landlord the Rent on the first day of each month.",
    "Please contact your Bank or Card Issuer if the payment is declined.",
    "The Patient was advised to rest and return if symptoms persist.",
    "Shuttle buses run between the Airport, the Station and the Hotel every {qty} minutes.",
    "The Customer may cancel the Order within {qty} days of Delivery.",
    "Meet the Team: our Founder, the Engineers and the Sales Staff.",
    "The Buyer and the Seller agree that the Goods are sold as seen.",
    "Ask the Pharmacist before taking this Medicine with other Products.",
    "Our Head Office and Warehouse are closed on Public Holidays.",
    "The Committee thanks every Volunteer, Sponsor and Member for their support.",
    "The {category} aisle was renamed in {year}.",
    "Policy {policy} covers {pct} of repair costs.",
)
