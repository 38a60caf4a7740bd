import { termOf } from './normalise.ts';

/**
 * A line names a service when one of its terms (stems) is one of these. Where Porter folds a goods
 * word into a service's stem, the service is told by its word instead (SERVICE_WORDS): "disposable"
 * and "disposal", "electric" and "electricity", "engine" and "engineering", "utility" (trucks,
 * knives) and "utilities", "clean" (a plumbing clean-out) and "cleaning", "test" (kits) and
 * "testing". With those stems, medical disposables, electric motors and engine parts lost the goods
 * prior (development set: top-1 +3 items, none lost). "water", "phone" and "print" stay stems,
 * though a water meter, a phone and prints are goods: not measured apart.
 */
const SERVICE_TERMS = new Set(['servic', 'repair', 'mainten', 'instal', 'consult', 'rental', 'rent', 'leas', 'train', 'subscript', 'licens', 'insur', 'freight', 'deliveri', 'ship', 'transport', 'haul', 'tow', 'inspect', 'calibr', 'wholesal', 'retail', 'store', 'contractor', 'labor', 'labour', 'hotel', 'lodg', 'travel', 'airfar', 'catering', 'cater', 'legal', 'audit', 'account', 'advertis', 'print', 'design', 'softwar', 'hosting', 'telecom', 'internet', 'phone', 'water', 'sewer']);
/**
 * Words that name a service where their stem also names goods (see SERVICE_TERMS), and ledger
 * words for services ("Bank fees", "Postage", "Team lunch", "Desktop publishing"), which would
 * otherwise rank as goods (postage meters, apparel, desktop computers). Not "parking" or "bill": "Parking meters", "Bill straps" are goods.
 */
const SERVICE_WORDS = new Set(['disposal', 'disposals', 'electricity', 'engineering', 'engineer', 'engineers', 'utilities', 'cleaning', 'testing', 'fee', 'fees', 'charges', 'postage', 'lunch', 'lunches', 'dinner', 'dinners', 'breakfast', 'tuition', 'membership', 'memberships', 'toll', 'tolls', 'publishing']);
/** Whether a line's words (words(), before stemming) name a service: the goods prior is then off. */
export function namesService(ws: readonly string[]): boolean {
  return ws.some((w) => SERVICE_WORDS.has(w) || SERVICE_TERMS.has(termOf(w)));
}
