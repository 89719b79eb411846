// Changing one's own password, from the console's top bar.
import { passwordForm } from '../account.js';
import { mount } from '../ui.js';
import { session } from './context.js';

export default { title: 'password.change', needs: [], show: viewPassword };

async function viewPassword(main) {
  mount(main, passwordForm(session, { onDone: async () => {} }));
}
