/**
 * Questions for the assistant eval, written as shoppers phrase them — from the topics the help
 * centre covers, deliberately avoiding the pages' own wording (no copied phrases, synonyms and
 * everyday words instead: "money back" not "refund", "parcel" for "order") — each with the section
 * that answers it; and questions the help centre cannot answer, where the right reply is "I don't
 * know". Relevance is the section a person would point to, not anything our retrieval computes.
 *
 * Split: for each section its first question is validation (settings are tuned on it), the rest are
 * test (reported); out-of-scope questions alternate.
 */

/** Questions per answering section (`page#anchor`). */
export const IN_SCOPE: Readonly<Record<string, readonly string[]>> = {
  'shipping#delivery-times': ['How long until my stuff shows up?', 'If I buy today when will it get to me?', 'can i get it tomorrow if I pay more'],
  'shipping#delivery-costs': ['Do you charge for postage?', 'how much is it to send my order', 'is there a minimum spend for free postage'],
  'shipping#countries-we-ship-to': ['Can you send stuff to Switzerland?', 'I live in London, will I have to pay customs?', 'do you deliver outside europe'],
  'shipping#tracking-your-parcel': ['Where is my package right now?', 'how do i follow my delivery', 'I never got an email with the tracking number'],
  'shipping#missing-or-damaged-parcels': ['My box arrived crushed, what now?', 'the parcel never came and it has been two weeks', 'the courier lost my order'],
  'shipping#click-and-collect': ['Can I pick my order up in person?', 'is there a shop in Innsbruck where I can grab it', 'collect from store instead of delivery'],
  'returns#return-period': ['How many days do I have to send something back?', 'can I still return a jacket I bought five weeks ago', 'changed my mind about a purchase, can I give it back'],
  'returns#how-to-return-an-item': ['How do I send back something I do not want?', 'do I have to pay the postage to return', 'where do I get a return label'],
  'returns#refunds': ['When will I get my money back?', 'how long until the cash is back on my card', 'do you pay back the delivery fee too'],
  'returns#exchanges': ['Can I swap these for a bigger size?', 'I want the same jacket in a different colour', 'trade an item for another one'],
  'returns#used-or-worn-items': ['I slept in the bag one night, can I still return it?', 'can I return a tent I already used on a trip', 'boots worn on a hike, refundable?'],
  'warranty#what-the-warranty-covers': ['My zipper broke after a month, is that covered?', 'how long is the guarantee', 'the seam on my backpack is coming apart'],
  'warranty#what-is-not-covered': ['I ripped my tent on a branch, will you fix it for free?', 'does the guarantee include the battery', 'is ordinary wear part of the guarantee'],
  'warranty#making-a-warranty-claim': ['How do I report a faulty product?', 'what do you need from me to claim a defect', 'my headlamp stopped working, what do I send you'],
  'warranty#repairs': ['Can you mend a broken tent pole?', 'do you fix gear that is out of guarantee', 'how long does fixing a zip take'],
  'sizing#boots-and-shoes': ['What size hiking boots should I order?', 'my feet are wide, which boots', 'should boots be bigger than normal shoes'],
  'sizing#jackets-and-clothing': ['I am between a medium and a large, which jacket size?', 'how do I measure myself for a fleece', 'what size top fits over layers'],
  'sizing#sleeping-bags': ['How long should my sleeping bag be? I am 1.90 m', 'what does the comfort rating mean', 'difference between comfort and limit temperature'],
  'sizing#tent-capacity': ['Does a two person tent really fit two?', 'which tent for two people and our packs', 'how many people fit in a 3P'],
  'sizing#backpacks': ['What size rucksack for a weekend?', 'how many litres for a day walk', 'how do I measure my back for a pack'],
  'care#tents': ['How do I clean my tent?', 'can I put the tent in the washing machine', 'my tent smells of mould after the trip'],
  'care#sleeping-bags': ['How do I wash a down bag?', 'should I keep my sleeping bag squashed in its sack', 'the feathers clumped after washing'],
  'care#sleeping-pads': ['My air mattress keeps going flat', 'how to find a hole in my mat', 'is it ok to blow up the pad with my mouth'],
  'care#camp-stoves': ['How do I look after my stove?', 'can I refill a gas cartridge', 'the burner is clogged'],
  'care#hiking-boots': ['How do I dry soaked boots?', 'my leather boots are cracking', 'waterproofing my walking shoes again'],
  'care#rain-jackets': ['How should I wash my waterproof?', 'my shell is wetting out', 'can I use softener on my rain coat'],
  'care#socks': ['Can merino socks go in the dryer?', 'how to wash wool socks', 'my socks went felty at the heel'],
  'care#headlamps': ['How do I store my head torch over winter?', 'batteries leaked in my lamp', 'salt water got on my headlamp'],
  'contact#customer-service': ['What is your phone number?', 'when is your support open', 'how do I talk to a person'],
  'contact#payment-methods': ['Can I pay with PayPal?', 'do you take credit cards', 'can I buy now and pay later'],
  'contact#gift-cards': ['Do gift vouchers expire?', 'can I use a voucher on two orders', 'can I turn a gift card into cash'],
};

/** Questions the help centre does not answer (the right reply: "I don't know, contact us"). */
export const OUT_OF_SCOPE: readonly string[] = [
  'What is the weather in Paris tomorrow?', 'Write me a poem about mountains', 'Who won the football last night?',
  'What is the capital of Australia?', 'Can you recommend a good restaurant in Vienna?', 'How do I fix my car engine?',
  'Do you sell bicycles?', 'What is your CEO called?', 'Are you hiring?', 'How many employees do you have?',
  'Can I bring my dog to the store?', 'Is it safe to climb Everest alone?', 'Translate hello into Japanese',
  'What shares should I buy?', 'How do I bake sourdough bread?', 'What is the meaning of life?',
  'Do you have a loyalty points scheme?', 'Can I book a guided hike with you?', 'Is there parking at the shop?',
  'Do you price match Amazon?', 'Tell me a joke', 'Which is the best smartphone?', 'How tall is the Eiffel tower?',
  'Can you do my homework?', 'What time is sunrise tomorrow?', 'Do you rent out tents?', 'Are your products vegan?',
  'Where are your products made?', 'Do you offer student discount?', 'Can I become an affiliate?',
];

/** One eval question. */
export interface AssistantQuestion {
  text: string;
  /** The answering section, or null for out-of-scope. */
  passage: string | null;
  split: 'validation' | 'test';
}

/** All questions with their split (see the file comment). */
export function assistantQuestions(): AssistantQuestion[] {
  const out: AssistantQuestion[] = [];
  for (const [passage, qs] of Object.entries(IN_SCOPE)) qs.forEach((text, i) => out.push({ text, passage, split: i === 0 ? 'validation' : 'test' }));
  OUT_OF_SCOPE.forEach((text, i) => out.push({ text, passage: null, split: i % 2 === 0 ? 'validation' : 'test' }));
  return out;
}
