/**
 * The demo shop's help centre: Markdown pages (shipping, returns, warranty, sizing, care, contact)
 * with the policies a Tier-1 support desk answers from. Generated (not hand-kept) so the care
 * guides follow the shop's categories; the policy numbers are fixed facts of the simulated shop.
 * Each `##` section is one passage of the knowledge package (tools/knowledge).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CATEGORIES } from '../shop/categories.ts';

/** One help page: file slug and Markdown. */
export interface HelpPage {
  slug: string;
  markdown: string;
}

const section = (heading: string, ...paras: string[]): string => `## ${heading}\n\n${paras.join('\n\n')}\n`;

const CARE: Readonly<Record<string, string>> = {
  tents: 'Pitch your tent at home once before the trip. After every trip, shake out grit, dry it fully before packing it away to stop mildew, and store it loosely in a cool, dry place. Clean it with lukewarm water and a sponge, never in a washing machine. Re-seal seams with seam sealer when water starts to creep through.',
  'sleeping-bags': 'Store sleeping bags uncompressed in the large storage sack, never in the stuff sack. Wash down bags rarely, in a front-loading machine on a gentle cycle with down wash, then tumble dry on low heat with two clean tennis balls until no clumps remain. Synthetic bags can be washed the same way with a mild detergent.',
  'sleeping-pads': 'Inflate air pads with the pump sack, not your breath: moisture from your breath grows mould inside. Store pads unrolled with the valve open. Find a leak by submerging the inflated pad in water and watching for bubbles, then patch it with the repair kit.',
  stoves: 'Let a stove cool before packing it. Keep gas canisters out of direct sun and never refill disposable canisters. Clean the jet and burner with the tool supplied, and check the O-rings of multi-fuel stoves before each trip.',
  'hiking-boots': 'Brush off mud after each walk and let boots dry slowly at room temperature, away from radiators and fires, which crack the leather. Stuff wet boots with newspaper. Re-proof leather with wax and fabric boots with a spray-on water repellent when water stops beading.',
  'rain-jackets': 'Wash waterproof jackets with a technical wash, not fabric softener, at 30 °C, then tumble dry on low or iron on a low setting to reactivate the water-repellent finish. When water soaks into the outer fabric instead of beading, reapply a wash-in or spray-on proofer.',
  socks: 'Turn merino socks inside out and wash at 30 °C on a wool cycle. Do not tumble dry or use bleach; dry them flat. A little felting at the heel is normal.',
  headlamps: 'Charge lithium batteries to about half before storing a headlamp for months, and remove alkaline batteries before storage to avoid leaks. Rinse a headlamp in fresh water after salt spray, with the battery cover closed.',
};

/** The pages. Deterministic. */
export function helpPages(): HelpPage[] {
  const careKinds = CATEGORIES.filter((c) => CARE[c.id] !== undefined);
  return [
    {
      slug: 'shipping',
      markdown: ['# Shipping and delivery\n',
        section('Delivery times', 'Orders placed before 2 pm on a working day leave our warehouse the same day. Standard delivery takes 3 to 5 working days within the EU. Express delivery arrives the next working day if you order before 2 pm.'),
        section('Delivery costs', 'Standard delivery is free on orders over €50; below that it costs €4.95. Express delivery costs €9.95 on any order.'),
        section('Countries we ship to', 'We ship to every EU country, the United Kingdom, Norway and Switzerland. Orders to the UK, Norway and Switzerland may be charged import duties and VAT by the carrier on arrival; these are not included in our prices.'),
        section('Tracking your parcel', 'When your order leaves the warehouse we email you a tracking link. Tracking updates can take up to 24 hours to appear. You can also see the status of every order in your account under Orders.'),
        section('Missing or damaged parcels', 'If your parcel has not arrived 10 working days after dispatch, or arrives damaged, contact us with your order number and photos of the damage. We send a replacement or refund you in full; you do not need to claim from the carrier yourself.'),
        section('Click and collect', 'You can collect orders free of charge from our store in Innsbruck. We email you when the order is ready, usually within 2 hours, and keep it for 14 days.'),
      ].join('\n'),
    },
    {
      slug: 'returns',
      markdown: ['# Returns and refunds\n',
        section('Return period', 'You can return unused items within 30 days of delivery for a full refund, for any reason. Items must be unworn, with the original labels and packaging.'),
        section('How to return an item', 'Start a return in your account under Orders, print the prepaid label and drop the parcel at any post office. Returns within the EU are free; from other countries the return postage is yours.'),
        section('Refunds', 'We refund to the original payment method within 5 working days of receiving your return. Bank transfers can take another 3 to 5 days to show on your statement. The original delivery cost is refunded if you return the whole order.'),
        section('Exchanges', 'To change a size or colour, return the item and place a new order: this is the fastest way to get the item you want while it is in stock.'),
        section('Used or worn items', 'Tents that have been pitched outdoors, sleeping bags that have been slept in and boots that have been worn outside cannot be returned under the 30-day policy. They are covered by the warranty for faults.'),
      ].join('\n'),
    },
    {
      slug: 'warranty',
      markdown: ['# Warranty and repairs\n',
        section('What the warranty covers', 'Every product comes with a 2-year warranty against manufacturing defects: broken zips and buckles, seams coming apart, delamination and faulty electronics. The warranty starts on the delivery date.'),
        section('What is not covered', 'Normal wear and tear, damage from accidents, misuse or wrong care, and products changed by someone else are not covered. Batteries are covered for 6 months.'),
        section('Making a warranty claim', 'Send us your order number, a description of the fault and photos. We reply within 2 working days. If the claim is accepted we repair the item, replace it, or refund it if neither is possible.'),
        section('Repairs', 'Our workshop repairs zips, seams, tent poles and sleeping pads, also after the warranty for a small fee. A repair usually takes 2 to 3 weeks including return postage.'),
      ].join('\n'),
    },
    {
      slug: 'sizing',
      markdown: ['# Size guides\n',
        section('Boots and shoes', 'Our hiking boots follow EU sizes. Choose half a size larger than your everyday shoes to leave room for thick socks and swelling on long descents. Measure your feet in the evening. Wide-fit models are tagged wide-fit.'),
        section('Jackets and clothing', 'Measure your chest at the widest point and compare with the size chart on the product page. If you are between two sizes, pick the larger for layering a fleece underneath, or the smaller for a close, athletic fit.'),
        section('Sleeping bags', 'Choose a bag at least 15 cm longer than your height. The comfort temperature is the lowest temperature at which most people sleep warm; the limit temperature is for a cold sleeper curled up and is not a target.'),
        section('Tent capacity', 'The number in a tent name is how many people lie down in it side by side, with little space left: a 2P tent fits two sleeping mats. For two people with gear, or for extra comfort, choose one size up.'),
        section('Backpacks', 'Backpack volume in litres: 18 to 28 L suits day hikes, 38 to 50 L a weekend, 65 L a week or winter gear. The back length should match your torso length, measured from the base of your neck to the top of your hips.'),
      ].join('\n'),
    },
    {
      slug: 'care',
      markdown: ['# Care guides\n', ...careKinds.map((c) => section(c.name, CARE[c.id]!))].join('\n'),
    },
    {
      slug: 'contact',
      markdown: ['# Contact us\n',
        section('Customer service', 'Our customer service team answers by email at help@waypoint.example and by phone on +43 512 000 000, Monday to Friday, 9 am to 6 pm CET. We reply to emails within one working day.'),
        section('Payment methods', 'We accept Visa, Mastercard, PayPal, Klarna pay later and bank transfer. Your card is charged when the order is dispatched.'),
        section('Gift cards', 'Gift cards are sent by email, are valid for 3 years and can be used for several orders until the balance runs out. They cannot be exchanged for cash.'),
      ].join('\n'),
    },
  ];
}

/** Writes the pages as `<dir>/<slug>.md`. */
export async function writeHelpPages(dir: string): Promise<HelpPage[]> {
  const pages = helpPages();
  await mkdir(dir, { recursive: true });
  for (const p of pages) await writeFile(join(dir, `${p.slug}.md`), p.markdown);
  return pages;
}
