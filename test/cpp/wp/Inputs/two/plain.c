void run_task(void);
void solo_task(void);

int main(void) {
  solo_task();
  run_task();
  return 0;
}
