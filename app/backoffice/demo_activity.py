"""What the demo people have said and done, for `flask seed-demo` (demo.py): dialogs with
messages both ways (some unread by the team, some by the customer), channel posts with
reactions and comments, and a team invitation waiting for its answer. Everything goes through
the services, so the inbox, the feeds and the invitations page show it as they would show
real use, in either conversation store. Each part is skipped when it is there already."""

from app.businesses import bot_settings, members
from app.channels import feedback, posts
from app.conversations import dialogs, messages
from app.models import Business, BusinessMember, ChannelPost, Conversation, User

# (customer, business, [(who, text)], the customer has read the answers). `who` is a person
# index (demo.PEOPLE), "c" for the customer. A last message from the customer is unread by
# the team.
DIALOGS = [
    (3, "Кофейня на Арбате", [
        ("c", "Здравствуйте! Можно заказать торт на субботу?"),
        (1, "Добрый день! Да, конечно. Какой вес и какую начинку?"),
        ("c", "Два килограмма, шоколадный с вишней."),
    ], True),
    (4, "Кофейня на Арбате", [
        ("c", "Вы работаете в воскресенье?"),
        (0, "Да, с 9 до 21. Ждём вас!"),
    ], False),
    (3, "Пекарня «Колосок»", [
        ("c", "Есть ли у вас хлеб без глютена?"),
    ], True),
    (4, "Барбершоп Бритва", [
        ("c", "Запишите меня, пожалуйста, на пятницу в 18:00."),
        (1, "Записали на пятницу, 18:00. До встречи!"),
        ("c", "Спасибо!"),
    ], True),
]

# business: [(text, {reader index: reaction}, [(reader index, comment)])], oldest first.
POSTS = {
    "Кофейня на Арбате": [
        ("Мы открылись после ремонта! Новая веранда ждёт вас.", {3: "🎉", 4: "❤️", 5: "👍"},
         [(4, "Поздравляем! Обязательно зайдём.")]),
        ("С понедельника в меню тыквенный латте и чизкейк с облепихой.", {3: "🔥", 4: "👍"},
         [(3, "А без сахара можно?"), (4, "Чизкейк очень вкусный!")]),
        ("Завтраки весь день: сырники, омлет и каша по будням до 18:00.", {5: "❤️"}, []),
    ],
    "Пекарня «Колосок»": [
        ("Каждое утро к 8:00 свежий багет и бородинский.", {3: "👍", 5: "👍"},
         [(5, "Бородинский лучший в районе.")]),
    ],
}

# (business, inviting person, invited person, role): waits on the invitee's /my/invitations.
INVITATIONS = [("Пекарня «Колосок»", 0, 3, "operator")]


def seed(people: list[User], demo: list[Business]) -> None:
    by_name = {business.name: business for business in demo}
    _dialogs(people, by_name)
    _posts(people, by_name)
    _invitations(people, by_name)


def _dialogs(people, by_name):
    for customer_index, name, lines, read in DIALOGS:
        business, customer = by_name.get(name), people[customer_index]
        if business is None or Conversation.objects(
                business_id=business.id, customer_id=customer.id).first() is not None:
            continue
        conversation = dialogs.start(business, customer)
        for who, text in lines:
            author = customer if who == "c" else people[who]
            messages.post_message(author, conversation.id, text)
        if read:
            dialogs.mark_read(customer, conversation.id)


def _posts(people, by_name):
    for name, entries in POSTS.items():
        business = by_name.get(name)
        if business is None or ChannelPost.objects(business_id=business.id).first() is not None:
            continue
        owner = User.objects.get(id=business.owner_id)
        bot_settings.update(business, owner, {"channelSettings": {
            "allowComments": True, "allowReactions": True}})
        for text, reactions, comments in entries:
            post = posts.create(business, owner, text)
            for reader, emoji in reactions.items():
                feedback.react(business.id, people[reader], post.id, emoji, "set")
            for reader, comment in comments:
                feedback.add_comment(business.id, people[reader], post.id, comment)


def _invitations(people, by_name):
    for name, inviter, invitee, role in INVITATIONS:
        business, person = by_name.get(name), people[invitee]
        # Once asked, never again: not after an answer either.
        if business is None or BusinessMember.objects(
                business_id=business.id, invited_phone=person.phone).first() is not None \
                or BusinessMember.objects(business_id=business.id,
                                          user_id=person.id).first() is not None:
            continue
        members.invite(business, people[inviter], person.phone, role)
